import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { NewEvent } from '../../core/events.js';
import { dropSamples } from './compact.js';
import { clipLost, encodeLine, lineType, lostLine } from './lines.js';
import { Segment, SEGMENT_FILE } from './segment.js';

export interface EventLogOptions {
  /** Disk the log may use; past it the oldest samples are dropped (and reported lost). */
  maxBytes: number;
  /** Size at which a new segment is started (default: a quarter of maxBytes, at most 8 MB). */
  segmentBytes?: number;
  clock: Clock;
}

export interface LogRead {
  /** Event lines (JSON), in offset order. */
  lines: string[];
  head: number;
  headTime: number | null;
}

interface LogMeta {
  /** When the log was created (Unix ms): runtimes older than it may have history the hub stored before. */
  created: number;
}

/**
 * The agent's durable event log (DESIGN.md idea 7): events get increasing offsets, are on disk (fsync)
 * before they can be read, and stay until the hub acknowledges them. Past `maxBytes` the oldest samples are
 * dropped and reported as lost ranges in their place; if that is not enough, whole old segments go, and a
 * reader that asks for them gets one lost range for the gap. Nothing disappears unreported.
 */
export class EventLog {
  private readonly segments: Segment[];
  private acked = 0;
  /** Samples dropped for the bound since this process opened the log. */
  droppedSinceOpen = 0;
  readonly created: number;

  private constructor(
    private readonly dir: string,
    private readonly o: Required<Omit<EventLogOptions, 'clock'>> & { clock: Clock },
    segments: Segment[],
    meta: LogMeta,
  ) {
    this.segments = segments;
    this.created = meta.created;
  }

  static open(dir: string, options: EventLogOptions): EventLog {
    mkdirSync(dir, { recursive: true });
    const metaFile = join(dir, 'log.json');
    let meta: LogMeta;
    if (existsSync(metaFile)) meta = JSON.parse(readFileSync(metaFile, 'utf8')) as LogMeta;
    else {
      meta = { created: options.clock.now() };
      writeFileSync(metaFile, JSON.stringify(meta));
    }
    const bases = readdirSync(dir)
      .map((f) => SEGMENT_FILE.exec(f)?.[1])
      .filter((b): b is string => b !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const segments = bases.map((b) => Segment.load(dir, b));
    if (segments.length === 0) segments.push(Segment.create(dir, 1));
    const segmentBytes = options.segmentBytes ?? Math.min(8 << 20, Math.max(64 << 10, Math.floor(options.maxBytes / 4)));
    return new EventLog(dir, { maxBytes: options.maxBytes, segmentBytes, clock: options.clock }, segments, meta);
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1] as Segment;
  }

  get head(): number {
    return this.active.last;
  }

  get headTime(): number | null {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const t = (this.segments[i] as Segment).lastTime;
      if (t !== null) return t;
    }
    return null;
  }

  get bytes(): number {
    return this.segments.reduce((sum, s) => sum + s.bytes, 0);
  }

  /** Appends a batch and returns the new head; readable (and durable) once this resolves. */
  async append(events: readonly NewEvent[]): Promise<number> {
    if (events.length === 0) return this.head;
    // A batch is never split between segments: the newest segment always holds the last sweep whole.
    if (this.active.bytes >= this.o.segmentBytes) {
      this.active.closeFd();
      this.segments.push(Segment.create(this.dir, this.head + 1));
    }
    let offset = this.head;
    const lines = events.map((e) => encodeLine(++offset, e));
    await this.active.append(lines, events[events.length - 1]?.time ?? this.o.clock.now());
    this.enforceBound();
    return this.head;
  }

  /**
   * Lines after `after`, at most `limit`. Offsets no segment holds any more (dropped whole for the bound)
   * come back as one lost range; a lost range that began at or before `after` is clipped to what is left.
   */
  read(after: number, limit: number): LogRead {
    const out: string[] = [];
    const first = this.segments.find((s) => s.last > after || s === this.active) as Segment;
    if (first.base > after + 1 && after < this.head && limit > 0) {
      out.push(lostLine(after + 1, first.base - 1, this.o.clock.now()));
    }
    for (const s of this.segments) {
      if (out.length >= limit) break;
      if (s.last <= after) continue;
      for (const line of s.read(after, limit - out.length)) out.push(lineType(line) === 'lost' ? clipLost(line, after) : line);
    }
    return { lines: out, head: this.head, headTime: this.headTime };
  }

  /** The hub has stored everything up to `offset`: whole segments before it go (never the newest). */
  ack(offset: number): void {
    if (offset <= this.acked) return;
    this.acked = Math.min(offset, this.head);
    while (this.segments.length > 1 && (this.segments[0] as Segment).last <= this.acked) (this.segments.shift() as Segment).remove();
  }

  /** Lines of the newest segments, newest segment first, until `enough` says stop (for seeds after a restart). */
  scanBack(visit: (lines: string[]) => boolean): void {
    for (let i = this.segments.length - 1; i >= 0; i--) if (visit((this.segments[i] as Segment).all())) return;
  }

  close(): void {
    for (const s of this.segments) s.closeFd();
  }

  private enforceBound(): void {
    for (let i = 0; this.bytes > this.o.maxBytes && i < this.segments.length - 1; i++) {
      const s = this.segments[i] as Segment;
      if (s.compacted) continue;
      const { lines, dropped } = dropSamples(s.all());
      s.rewrite(lines);
      this.droppedSinceOpen += dropped;
    }
    // Only non-sample events left and still too big: the oldest segments go whole.
    while (this.bytes > this.o.maxBytes && this.segments.length > 1) {
      const s = this.segments.shift() as Segment;
      this.droppedSinceOpen += s.last - s.base + 1;
      s.remove();
    }
  }
}
