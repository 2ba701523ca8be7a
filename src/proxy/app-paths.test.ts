import { describe, expect, it } from 'vitest';
import { appPath, parseAppRoute, rawBase } from './app-paths.js';

const base = '/user/alice/lab/';

describe('parseAppRoute', () => {
  it('reads a port, stripped or absolute, and keeps the query', () => {
    expect(parseAppRoute('/user/alice/lab/proxy/8050/a/b?x=1', base)).toEqual({ kind: 'port', port: 8050, stripPrefix: true, prefix: '/user/alice/lab/proxy/8050/', forward: '/a/b?x=1' });
    expect(parseAppRoute('/user/alice/lab/proxy/absolute/8050/a?x=1', base)).toEqual({ kind: 'port', port: 8050, stripPrefix: false, prefix: '/user/alice/lab/proxy/absolute/8050/', forward: '/user/alice/lab/proxy/absolute/8050/a?x=1' });
    expect(parseAppRoute('/user/alice/lab/proxy/8050', base)).toMatchObject({ kind: 'port', forward: '/' });
    expect(parseAppRoute('/user/alice/proxy/1/', '/user/alice/')).toMatchObject({ kind: 'port', port: 1 });
    expect(parseAppRoute('/user/alice/proxy/65535/', '/user/alice/')).toMatchObject({ kind: 'port', port: 65535 });
  });
  it('reads a named app', () => {
    expect(parseAppRoute('/user/alice/lab/apps/board/x?y', base)).toEqual({ kind: 'app', app: 'board', prefix: '/user/alice/lab/apps/board/', rest: '/x?y' });
    expect(appPath('/user/alice/lab/apps/board/', '/x?y', true)).toBe('/x?y');
    expect(appPath('/user/alice/lab/apps/board/', '/x?y', false)).toBe('/user/alice/lab/apps/board/x?y');
  });
  it('leaves the runtime its own paths', () => {
    expect(parseAppRoute('/user/alice/lab/api/kernels', base)).toBeUndefined();
    expect(parseAppRoute('/user/alice/lab/proxyish/1/', base)).toBeUndefined();
    expect(parseAppRoute('/user/alice/lab/', base)).toBeUndefined();
  });
  it.each([
    ['/user/alice/lab/proxy/example.com/', 'Invalid port "example.com"'],
    ['/user/alice/lab/proxy/127.0.0.1:22/', 'Invalid port "127.0.0.1:22"'],
    ['/user/alice/lab/proxy/8050@evil.example/', 'Invalid port "8050@evil.example"'],
    ['/user/alice/lab/proxy/0/', 'Invalid port "0"'],
    ['/user/alice/lab/proxy/65536/', 'Invalid port "65536"'],
    ['/user/alice/lab/proxy/08050/', 'Invalid port "08050"'],
    ['/user/alice/lab/proxy/%38050/', 'Invalid port "8050"'],
    ['/user/alice/lab/proxy/80%2F..%2F/', 'Invalid port "80/../"'],
    ['/user/alice/lab/proxy/absolute/evil.example/', 'Invalid port "evil.example"'],
    ['/user/alice/lab/proxy/', 'Missing port'],
    ['/user/alice/lab/apps/', 'Missing app name'],
    ['/user/alice/lab/apps/..%2F/', 'Invalid app name'],
    ['/user/alice/lab/pro%78y/evil.example/', 'encoded characters or dot segments'],
    ['/user/alice/lab/x/../proxy/22/', 'encoded characters or dot segments'],
    ['/user/alice/lab/.%2Fproxy/22/', 'encoded characters or dot segments'],
  ])('refuses %s naming what is wrong', (url, message) => {
    const r = parseAppRoute(url, base);
    expect(r?.kind).toBe('bad');
    expect(r?.kind === 'bad' && r.message).toContain(message);
  });
});

describe('rawBase', () => {
  it('is the base as the client spelled it', () => {
    expect(rawBase('/user/al%69ce/lab/proxy/1/?q', true)).toBe('/user/al%69ce/lab/');
    expect(rawBase('/user/alice/proxy/1/', false)).toBe('/user/alice/');
  });
});
