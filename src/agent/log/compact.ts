import type { LostEvent } from '../../core/events.js';
import { isSampleLine, lineOffset, lineType, lostLine } from './lines.js';

/**
 * Drops the samples of a segment to bring the log back under its bound, keeping every other event in its
 * place: each run of dropped samples (with lost ranges already there) becomes one lost range, so every
 * offset stays accounted for. Returns the new lines and how many samples were dropped.
 */
export const dropSamples = (lines: readonly string[]): { lines: string[]; dropped: number } => {
  const out: string[] = [];
  let run: { from: number; through: number; time: number } | null = null;
  let dropped = 0;
  const flush = () => {
    if (run) out.push(lostLine(run.from, run.through, run.time));
    run = null;
  };
  for (const line of lines) {
    const type = lineType(line);
    if (type === 'sample' || type === 'lost') {
      const from = lineOffset(line);
      const lost = type === 'lost' ? (JSON.parse(line) as LostEvent) : null;
      const through = lost ? lost.through : from;
      if (isSampleLine(line)) dropped++;
      if (run && run.through + 1 === from) run.through = through;
      else {
        flush();
        // A run's time is its first event's (parsed only there: a segment holds tens of thousands of lines).
        run = { from, through, time: lost ? lost.time : (JSON.parse(line) as { time: number }).time };
      }
      continue;
    }
    flush();
    out.push(line);
  }
  flush();
  return { lines: out, dropped };
};
