import { describe, expect, it } from 'vitest';
import { HubClock } from '../web/src/hubClock.js';

/** The console's estimate of the hub's clock from the Date header of the hub's answers. */
describe("the console's hub clock", () => {
  const header = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toUTCString();

  it('finds a hub clock 90 s ahead of the browser to within a second, and better with more answers', () => {
    const c = new HubClock();
    expect(c.offset()).toBe(0);
    const skew = 90_000;
    let local = 1_800_000_000_123;
    c.note(header(local + 40 + skew), local, local + 80);
    expect(Math.abs(c.offset() - skew)).toBeLessThanOrEqual(600);
    for (let i = 0; i < 20; i++) {
      local += 1337;
      c.note(header(local + 40 + skew), local, local + 80);
    }
    expect(Math.abs(c.offset() - skew)).toBeLessThanOrEqual(100);
  });

  it('starts over when the clocks jump apart, and ignores answers without a date', () => {
    const c = new HubClock();
    const local = 1_800_000_000_000;
    c.note(header(local), local, local + 50);
    c.note(header(local + 3_600_000 + 10_000), local + 10_000, local + 10_050);
    expect(Math.abs(c.offset() - 3_600_000)).toBeLessThanOrEqual(600);
    c.note(null, local, local + 50);
    c.note('not a date', local, local + 50);
    expect(Math.abs(c.offset() - 3_600_000)).toBeLessThanOrEqual(600);
  });
});
