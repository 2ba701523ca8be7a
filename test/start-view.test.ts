/** The start page's reading of the progress stream (web/src/start.ts, pure). */
import { describe, expect, it } from 'vitest';
import { applyEvent, initialView, landing, MAX_LINES } from '../web/src/start.js';

describe('the start page', () => {
  it('keeps output lines apart from messages, progress rising, and the end', () => {
    let v = applyEvent(initialView, { progress: 0, message: 'Server requested' });
    v = applyEvent(v, { progress: 18, message: 'step 1', nbhub: { line: 'step 1' } });
    v = applyEvent(v, { progress: 10, message: 'Runtime launched' });
    expect(v).toMatchObject({ progress: 18, message: 'Runtime launched', lines: ['step 1'], readyUrl: null, failed: null });
    expect(applyEvent(v, { progress: 100, ready: true, url: '/user/a/', message: 'Server ready at /user/a/' })).toMatchObject({ progress: 100, readyUrl: '/user/a/' });
    expect(applyEvent(v, { progress: 100, failed: true, message: 'Spawn failed: x' })).toMatchObject({ failed: 'Spawn failed: x', readyUrl: null });
    for (let i = 0; i < MAX_LINES + 5; i++) v = applyEvent(v, { progress: 20, message: `${i}`, nbhub: { line: `${i}` } });
    expect(v.lines).toHaveLength(MAX_LINES);
    expect(v.lines.at(-1)).toBe(`${MAX_LINES + 4}`);
  });

  it('lands at next only inside the server', () => {
    expect(landing('/user/a/lab/', null)).toBe('/user/a/lab/');
    expect(landing('/user/a/lab/', '/user/a/lab/tree/x.ipynb?y=1')).toBe('/user/a/lab/tree/x.ipynb?y=1');
    expect(landing('/user/a/lab/', '/user/a/lab')).toBe('/user/a/lab');
    expect(landing('/user/a/lab/', '/user/a/lab2/')).toBe('/user/a/lab/');
    expect(landing('/user/a/lab/', '//evil.example/user/a/lab/')).toBe('/user/a/lab/');
    expect(landing('/user/a/lab/', 'https://evil.example/')).toBe('/user/a/lab/');
    expect(landing('/user/a/lab/', '/hub/admin')).toBe('/user/a/lab/');
    expect(landing('/user/a/lab/', '/user/a/lab/../../../hub/admin')).toBe('/user/a/lab/');
    expect(landing('/user/a/lab/', '/user/a/lab/%2E%2E/x')).toBe('/user/a/lab/');
  });
});
