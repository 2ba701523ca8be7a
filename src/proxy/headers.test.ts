import { describe, expect, it } from 'vitest';
import { downstreamHeaders, upstreamHeaders } from './headers.js';

describe('proxy headers', () => {
  it("sends the runtime's token upstream, never the client's credentials or the hub's cookies", () => {
    const out = upstreamHeaders(
      { authorization: 'token hub-secret', cookie: 'nbhub-session=s; _xsrf=j; nbhub-xsrf=x', host: 'hub:8000', connection: 'keep-alive' },
      'runtime-secret',
      '127.0.0.1',
      false,
    );
    expect(out['authorization']).toBe('token runtime-secret');
    expect(out['cookie']).toBe('_xsrf=j');
    expect(out['host']).toBe('hub:8000');
    expect(out['connection']).toBeUndefined();
  });
  it("drops a runtime's attempt to set the hub's cookies, and per-connection headers", () => {
    const out = downstreamHeaders(['Set-Cookie', 'nbhub-session=stolen; Path=/', 'Set-Cookie', '_xsrf=ok', 'Connection', 'close', 'Content-Type', 'text/html'], '/user/alice/');
    expect(out).toEqual(['Set-Cookie', '_xsrf=ok; Path=/user/alice/', 'Content-Type', 'text/html']);
  });
});
