import type { AgentEvent, LostEvent, NewEvent } from '../../core/events.js';

/**
 * One event per line of JSON, offset and type first, so the log can skip, count and drop lines without
 * parsing them, and serve them to the hub as they are.
 */
const PREFIX = '{"offset":';

export const encodeLine = (offset: number, e: NewEvent): string => {
  const { type, ...rest } = e;
  return `${PREFIX}${offset},"type":"${type}",${JSON.stringify(rest).slice(1)}`;
};

export const lostLine = (offset: number, through: number, time: number): string =>
  encodeLine(offset, { type: 'lost', time, through, count: through - offset + 1 } as unknown as NewEvent);

const offsetEnd = (line: string): number => line.indexOf(',', PREFIX.length);

export const lineOffset = (line: string): number => Number(line.slice(PREFIX.length, offsetEnd(line)));

export const lineType = (line: string): string => {
  const start = offsetEnd(line) + ',"type":"'.length;
  return line.slice(start, line.indexOf('"', start));
};

export const isSampleLine = (line: string): boolean => lineType(line) === 'sample';

/** The last offset a line covers: a lost range covers several. */
export const lineLast = (line: string): number => (lineType(line) === 'lost' ? (JSON.parse(line) as LostEvent).through : lineOffset(line));

/** A lost range seen from `after`: what is left of it beyond the offsets the reader already has. */
export const clipLost = (line: string, after: number): string => {
  const e = JSON.parse(line) as LostEvent;
  return e.offset > after ? line : lostLine(after + 1, e.through, e.time);
};

export const parseLine = (line: string): AgentEvent => JSON.parse(line) as AgentEvent;
