import type { SeriesColumns, UsageAnswer } from './aggregate.js';
import { copyNextNumber, jsonBytes, MAX_NUMBER_TEXT, numberTexts, reserve, writeText, written } from './json-bytes.js';

const POINT_FIRST = new Uint8Array(Buffer.from('{"t":'));
const POINT_NEXT = new Uint8Array(Buffer.from(',{"t":'));
const CPU = new Uint8Array(Buffer.from(',"cpu":'));
const MEMORY = new Uint8Array(Buffer.from(',"memory":'));
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
  const t = numberTexts(answer.series.map((s) => s.t));
  const cpu = numberTexts(answer.series.map((s) => s.cpu));
  const memory = numberTexts(answer.series.map((s) => s.memory));
  // Enough for every point, and for labels and totals of a usual size (it grows if not).
  const size = t.text.length + cpu.text.length + memory.text.length + (POINT_NEXT.length + CPU.length + MEMORY.length) * points + 160 * answer.series.length;
  const out = jsonBytes(size + 128 * answer.totals.length);
  writeText(out, '{"series":[');
  for (let g = 0; g < answer.series.length; g++) {
    const s = answer.series[g] as SeriesColumns;
    writeText(out, g === 0 ? '{"labels":' : ',{"labels":');
    writeText(out, JSON.stringify(s.labels));
    writeText(out, ',"points":[');
    const count = s.t.length;
    reserve(out, count * POINT_MAX);
    const buf = out.buf;
    let n = out.n;
    for (let i = 0; i < count; i++) {
      n = copy(i === 0 ? POINT_FIRST : POINT_NEXT, buf, n);
      n = copyNextNumber(t, buf, n);
      n = copy(CPU, buf, n);
      n = copyNextNumber(cpu, buf, n);
      n = copy(MEMORY, buf, n);
      n = copyNextNumber(memory, buf, n);
      buf[n++] = 125; // }
    }
    out.n = n;
    writeText(out, ']}');
  }
  writeText(out, '],"totals":');
  writeText(out, JSON.stringify(answer.totals));
  writeText(out, '}');
  return written(out);
};

const copy = (from: Uint8Array, to: Uint8Array, n: number): number => {
  for (let k = 0; k < from.length; k++) to[n++] = from[k] as number;
  return n;
};
