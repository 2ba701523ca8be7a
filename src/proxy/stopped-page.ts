import { XSRF_COOKIE } from '../accounts/cookies.js';
import { describeServer } from '../core/names.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** What a browser sees at a server that is not running: its state and a button that starts it. */
export const stoppedPage = (user: string, server: string, state: string, path: string): string => {
  const userApi = `/hub/api/users/${encodeURIComponent(user)}`;
  const api = `${userApi}/${server === '' ? 'server' : `servers/${encodeURIComponent(server)}`}`;
  const label = describeServer(user, server);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(label)} is not running</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;color:#222}button{font-size:1rem;padding:.5rem 1rem}</style></head>
<body><h1>${esc(label)} is not running</h1><p>State: <b id="state">${esc(state)}</b>. Its files are kept; starting it brings them back.</p>
<p><button id="start">Start it</button> <a href="/hub/">Back to the console</a></p><p id="msg"></p>
<script>
const xsrf = (document.cookie.match(/(?:^|; )${XSRF_COOKIE}=([^;]*)/) || [])[1] || '';
document.getElementById('start').onclick = async () => {
  const msg = document.getElementById('msg');
  msg.textContent = 'Starting…';
  const r = await fetch(${JSON.stringify(api)}, { method: 'POST', headers: { 'X-XSRFToken': xsrf, 'Content-Type': 'application/json' }, body: '{}' });
  if (r.status >= 400) { msg.textContent = (await r.json()).message; return; }
  for (;;) {
    const s = await fetch(${JSON.stringify(userApi)}).then((x) => x.json());
    const m = s.servers && s.servers[${JSON.stringify(server)}];
    if (m && m.ready) { location.href = ${JSON.stringify(path)}; return; }
    if (!m || m.nbhub.state === 'failed') { msg.textContent = 'Start failed: ' + ((m && m.nbhub.message) || ''); return; }
    await new Promise((ok) => setTimeout(ok, 500));
  }
};
</script></body></html>`;
};
