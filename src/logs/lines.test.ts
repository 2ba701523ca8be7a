import { describe, expect, it } from 'vitest';
import { matcher, wholeLines, windowLines } from './lines.js';

describe('lines', () => {
  it('takes whole lines only, dropping a \\r before the newline', () => {
    expect(wholeLines(Buffer.from('a\r\nb\nc'))).toEqual({ lines: ['a', 'b'], consumed: 5 });
    expect(wholeLines(Buffer.from('no newline'))).toEqual({ lines: [], consumed: 0 });
  });
  it('leaves out a line cut at the start of a window and shows one not ended yet', () => {
    const cut = windowLines(Buffer.from('ial\nsecond\nthird'), false);
    expect(cut.lines).toEqual(['second', 'third']);
    expect(cut.wholeBytes).toBe('ial\nsecond\n'.length);
    expect(windowLines(Buffer.from('first\n'), true).lines).toEqual(['first']);
  });
  it('searches case-insensitively', () => {
    const m = matcher('ERROR');
    expect(['an error here', 'fine', 'Error!'].filter(m)).toEqual(['an error here', 'Error!']);
    expect(matcher('')('anything')).toBe(true);
  });
});
