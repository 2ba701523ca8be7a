import { XSRF_COOKIE } from '../accounts/cookies.js';
import { describeServer, STATE_NAME } from '../core/names.js';
import type { ServerState } from '../core/models.js';
import { startPagePath } from '../core/urls.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** A value in the page's script: `<` escaped, so a path cannot end the script element; U+2028/2029 escaped for older parsers. */
const js = (v: unknown) =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/**
 * What a browser sees at a server that is not running: its state and a button that starts it, then goes to its
 * start page, which comes back to `path` once the server is ready.
 */
export const stoppedPage = (user: string, server: string, state: ServerState | null, path: string): string => {
  const userApi = `/hub/api/users/${encodeURIComponent(user)}`;
  const api = `${userApi}/${server === '' ? 'server' : `servers/${encodeURIComponent(server)}`}`;
  const label = describeServer(user, server);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(label)} is not running</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;color:#222}button{font-size:1rem;padding:.5rem 1rem}</style></head>
<body><h1>${esc(label)} is not running</h1><p>State: <b id="state">${esc(state === null ? 'never started' : STATE_NAME[state])}</b>. Its files are kept; starting it brings them back.</p>
<p><button id="start">Start it</button> <a href="/hub/">Back to the console</a></p><p id="msg"></p>
<script>
const xsrf = (document.cookie.match(/(?:^|; )${XSRF_COOKIE}=([^;]*)/) || [])[1] || '';
document.getElementById('start').onclick = async () => {
  const msg = document.getElementById('msg');
  msg.textContent = 'Starting…';
  // Prefer: respond-async: the hub answers once the start is asked for, and the start page follows it.
  const r = await fetch(${js(api)}, { method: 'POST', headers: { 'X-XSRFToken': xsrf, 'Content-Type': 'application/json', Prefer: 'respond-async' }, body: '{}' });
  if (r.status >= 400) { msg.textContent = (await r.json()).message; return; }
  location.href = ${js(startPagePath(user, server, path))};
};
</script></body></html>`;
};
