import type { SeriesColumns, UsageAnswer } from './aggregate.js';
import { JsonBytes, MAX_NUMBER_TEXT, NumberTexts } from './json-bytes.js';

const POINT_FIRST = Buffer.from('{"t":');
const POINT_NEXT = Buffer.from(',{"t":');
const CPU = Buffer.from(',"cpu":');
const MEMORY = Buffer.from(',"memory":');
const POINT_MAX = POINT_NEXT.length + CPU.length + MEMORY.length + 1 + 3 * MAX_NUMBER_TEXT;

/**
 * /hub/api/usage's body, written from the answer's columns: byte for byte what JSON.stringify gave of the
 * object form, `{"series":[{"labels":{…},"points":[{"t":…,"cpu":…,"memory":…}]}],"totals":[…]}`
 * (testing.ts), without an object per point or a string of the whole (a month of 1,000 runtimes is
 * ~23,000 points, 1.3 MB). The numbers are formatted by JSON.stringify, one call per column (NumberTexts).
 */
export const usageJson = (answer: UsageAnswer): Buffer => {
  let points = 0;
  for (const s of answer.series) points += s.t.length;
  const t = new NumberTexts(answer.series.map((s) => s.t));
  const cpu = new NumberTexts(answer.series.map((s) => s.cpu));
  const memory = new NumberTexts(answer.series.map((s) => s.memory));
  // Enough for every point, and for labels and totals of a usual size (it grows if not).
  const size = t.byteLength + cpu.byteLength + memory.byteLength + (POINT_NEXT.length + CPU.length + MEMORY.length) * points + 160 * answer.series.length;
  const out = new JsonBytes(size + 128 * answer.totals.length);
  out.text('{"series":[');
  for (let g = 0; g < answer.series.length; g++) {
    const s = answer.series[g] as SeriesColumns;
    out.text(g === 0 ? '{"labels":' : ',{"labels":');
    out.text(JSON.stringify(s.labels));
    out.text(',"points":[');
    const count = s.t.length;
    out.reserve(count * POINT_MAX);
    const buf = out.buf;
    let n = out.n;
    for (let i = 0; i < count; i++) {
      n = copy(i === 0 ? POINT_FIRST : POINT_NEXT, buf, n);
      n = t.copyNext(buf, n);
      n = copy(CPU, buf, n);
      n = cpu.copyNext(buf, n);
      n = copy(MEMORY, buf, n);
      n = memory.copyNext(buf, n);
      buf[n++] = 125; // }
    }
    out.n = n;
    out.text(']}');
  }
  out.text('],"totals":');
  out.text(JSON.stringify(answer.totals));
  out.text('}');
  return out.bytes();
};

const copy = (from: Uint8Array, to: Uint8Array, n: number): number => {
  for (let k = 0; k < from.length; k++) to[n++] = from[k] as number;
  return n;
};
