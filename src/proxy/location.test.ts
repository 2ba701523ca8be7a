import { describe, expect, it } from 'vitest';
import { rewriteLocation, rewriteRefresh, type AppPlace } from './location.js';

const place: AppPlace = { prefix: '/user/alice/proxy/8050/', origin: 'http://127.0.0.1:8050', hubHost: 'hub.example:8000' };

describe('rewriteLocation', () => {
  it('puts the paths of a stripped app under its prefix', () => {
    expect(rewriteLocation('/login?next=%2F#top', place)).toBe('/user/alice/proxy/8050/login?next=%2F#top');
    expect(rewriteLocation('/', place)).toBe('/user/alice/proxy/8050/');
  });
  it("turns the app's own absolute URLs (any loopback name for its port) into paths under the prefix", () => {
    expect(rewriteLocation('http://127.0.0.1:8050/x?y=1', place)).toBe('/user/alice/proxy/8050/x?y=1');
    expect(rewriteLocation('http://localhost:8050/x', place)).toBe('/user/alice/proxy/8050/x');
    expect(rewriteLocation('http://hub.example:8000/x', place)).toBe('/user/alice/proxy/8050/x');
    expect(rewriteLocation('//127.0.0.1:8050/x', place)).toBe('/user/alice/proxy/8050/x');
  });
  it('leaves alone what is already under the prefix, relative references and other hosts', () => {
    expect(rewriteLocation('/user/alice/proxy/8050/x', place)).toBe('/user/alice/proxy/8050/x');
    expect(rewriteLocation('http://hub.example:8000/user/alice/proxy/8050/x', place)).toBe('/user/alice/proxy/8050/x');
    expect(rewriteLocation('next', place)).toBe('next');
    expect(rewriteLocation('../x', place)).toBe('../x');
    expect(rewriteLocation('?page=2', place)).toBe('?page=2');
    expect(rewriteLocation('https://accounts.example/authorize?x', place)).toBe('https://accounts.example/authorize?x');
    expect(rewriteLocation('http://127.0.0.1:9999/x', place)).toBe('http://127.0.0.1:9999/x');
    expect(rewriteLocation('mailto:a@example.org', place)).toBe('mailto:a@example.org');
  });
  it('brings an app that sees its whole path back under it', () => {
    const abs = { ...place, prefix: '/user/alice/proxy/absolute/8050/' };
    expect(rewriteLocation('/user/alice/proxy/absolute/8050/x', abs)).toBe('/user/alice/proxy/absolute/8050/x');
    expect(rewriteLocation('/x', abs)).toBe('/user/alice/proxy/absolute/8050/x');
  });
  it('rewrites the url of Refresh', () => {
    expect(rewriteRefresh('0; url=/x', place)).toBe('0; url=/user/alice/proxy/8050/x');
    expect(rewriteRefresh("5;URL='http://127.0.0.1:8050/y'", place)).toBe("5;URL='/user/alice/proxy/8050/y'");
    expect(rewriteRefresh('30', place)).toBe('30');
  });
});
