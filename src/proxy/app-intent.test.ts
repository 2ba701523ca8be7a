import { describe, expect, it } from 'vitest';
import { appIntent } from './app-intent.js';

const PAGE = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('appIntent', () => {
  it('takes a top-level navigation for a visit (a browser, or a client asking for HTML)', () => {
    expect(appIntent('GET', { accept: PAGE, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }, false)).toBe('visit');
    expect(appIntent('GET', { accept: PAGE, 'sec-fetch-mode': 'Navigate' }, false)).toBe('visit');
    expect(appIntent('GET', { accept: 'text/html' }, false)).toBe('visit');
    expect(appIntent('HEAD', { accept: 'text/html' }, false)).toBe('visit');
  });

  it("takes a page's own traffic for background: WebSocket, fetch, assets, frames, writes, no HTML asked", () => {
    expect(appIntent('GET', { accept: PAGE, 'sec-fetch-mode': 'navigate' }, true)).toBe('background');
    expect(appIntent('GET', { accept: '*/*', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' }, false)).toBe('background');
    // A fetch that asks for HTML is still not a navigation.
    expect(appIntent('GET', { accept: 'text/html', 'sec-fetch-mode': 'same-origin' }, false)).toBe('background');
    expect(appIntent('GET', { accept: '*/*', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'script' }, false)).toBe('background');
    expect(appIntent('GET', { accept: PAGE, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' }, false)).toBe('background');
    expect(appIntent('POST', { accept: PAGE, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' }, false)).toBe('background');
    expect(appIntent('GET', {}, false)).toBe('background');
    expect(appIntent('GET', { accept: 'application/json' }, false)).toBe('background');
  });
});
