import type { LogLine } from '../../core/logs.js';

/**
 * Loki's push API body (POST /loki/api/v1/push, JSON): `{"streams":[{"stream":{labels},"values":[["<Unix ns
 * as a string>","line"],…]}]}`. Lines are grouped by their label set, in order within each. Pure but for the
 * Stamper's memory of the last timestamp per stream.
 */
export interface LokiPush {
  streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }>;
}

/** A line's labels: its own (empty ones left out: Loki has no empty label) and the target's static ones. */
export const lokiLabels = (line: LogLine, hubInstance: string, statics: Readonly<Record<string, string>>): Record<string, string> => {
  const labels: Record<string, string> = { ...statics };
  const set = (k: string, v: string) => {
    if (v !== '') labels[k] = v;
  };
  set('user', line.user);
  set('server', line.server);
  set('profile', line.profile);
  set('stream', line.stream);
  set('process', line.process ?? '');
  set('hub_instance', hubInstance);
  return labels;
};

const MAX_STREAMS_REMEMBERED = 10_000;

/**
 * Nanosecond timestamps that keep a stream's order: lines are stamped in ms, so lines of one stream in the
 * same ms get +1 ns, +2 ns… (Loki orders a stream by timestamp; equal ones could come back in any order).
 */
export class Stamper {
  private readonly last = new Map<string, { ms: number; seq: number }>();

  stamp(streamKey: string, atMs: number): string {
    const ms = Math.floor(atMs);
    const prev = this.last.get(streamKey);
    // A clock that stepped back: keep counting from the last stamp, so the stream stays in order.
    const seq = prev && ms <= prev.ms ? Math.min(prev.seq + 1, 999_999) : 0;
    const at = prev && ms < prev.ms ? prev.ms : ms;
    if (!prev && this.last.size >= MAX_STREAMS_REMEMBERED) this.last.clear();
    this.last.set(streamKey, { ms: at, seq });
    return `${at}${String(seq).padStart(6, '0')}`;
  }
}

export const lokiPush = (lines: readonly LogLine[], o: { hubInstance: string; labels: Readonly<Record<string, string>>; stamper: Stamper }): LokiPush => {
  const byStream = new Map<string, LokiPush['streams'][number]>();
  for (const line of lines) {
    const key = `${line.user}\0${line.server}\0${line.profile}\0${line.stream}\0${line.process ?? ''}`;
    let s = byStream.get(key);
    if (!s) byStream.set(key, (s = { stream: lokiLabels(line, o.hubInstance, o.labels), values: [] }));
    s.values.push([o.stamper.stamp(key, line.at), line.line]);
  }
  return { streams: [...byStream.values()] };
};
