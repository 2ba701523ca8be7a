import { describe, expect, it } from 'vitest';
import { safeNext } from './login.js';

describe('safeNext', () => {
  it('keeps paths on this hub', () => {
    expect(safeNext('/user/alice/tree?x=1')).toBe('/user/alice/tree?x=1');
    expect(safeNext('/hub/admin')).toBe('/hub/admin');
  });
  it.each(['//evil.example/', '/\t/evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/%0a/evil', undefined, 42])(
    'sends %j to the console instead of elsewhere',
    (next) => {
      const out = safeNext(next);
      expect(new URL(out, 'http://hub.local').host).toBe('hub.local');
    },
  );
});
