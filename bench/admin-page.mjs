// bench/admin-page: the admin page with 500 users and 100 servers (issue 17). The hub gets 500 users and 100 named
// servers through the API (BENCH_ADMIN_RUNNING of them left running a light runtime, the rest started and stopped);
// then Chromium loads /hub/admin N times and the time from navigation to the table showing its first page of 50 users
// is taken (median), against two references in the same run: the console's home page (the console's own cost:
// scripts, the session, one small list) and the users API's answer for the same page alone. Target: the admin
// table's first page under 1 s. Bounded: BENCH_ADMIN_LOADS (9) loads a page, 10 server starts at a time.
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { startHub } from './lib/hub.mjs';
import { httpRequest, median } from './lib/load.mjs';
import { runBench } from './lib/proc.mjs';
import { banner, info, ms, table, target } from './lib/report.mjs';

const LOADS = Number(process.env['BENCH_ADMIN_LOADS'] ?? 9);
const USERS = 500;
const SERVERS = 100;
const RUNNING = Number(process.env['BENCH_ADMIN_RUNNING'] ?? 10);
const PAGE = 50;
const LIGHT = fileURLToPath(new URL('../test/helpers/light-runtime.py', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const PAGINATION = 'application/jupyterhub-pagination+json';

const userName = (i) => `u${String(i).padStart(3, '0')}`;

/** `fn` over `items`, `n` at a time. */
const inBatches = async (items, n, fn) => {
  for (let i = 0; i < items.length; i += n) await Promise.all(items.slice(i, i + n).map(fn));
};

/** Milliseconds from the start of navigation until `selector` matches at least `count` elements (the page's own clock). */
const timeToShow = async (page, url, selector, count) => {
  await page.goto(url, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(
    ({ selector, count }) => (document.querySelectorAll(selector).length >= count ? performance.now() : false),
    { selector, count },
    { polling: 'raf', timeout: 30_000 },
  );
  return handle.jsonValue();
};

/** A hub with the users and servers made; `bin`: another build of nbhub (a checkout before this change). */
const makeHub = async (bin) => {
  const hub = await startHub({
    name: bin ? 'nbhub-before' : 'nbhub',
    ...(bin ? { bin } : {}),
    config: { profiles: { light: { display_name: 'Light', command: ['python3', LIGHT, '{port}', '{base_url}', '{workspace}'] } } },
  });
  await hub.api('POST', '/hub/api/users', JSON.stringify({ usernames: Array.from({ length: USERS }, (_, i) => userName(i)) }), { expect: [201] });
  const t0 = performance.now();
  await inBatches(
    Array.from({ length: SERVERS }, (_, i) => i),
    10,
    async (i) => {
      const path = `/hub/api/users/${userName(i * (USERS / SERVERS))}/servers/nb${i}`;
      await hub.api('POST', path, JSON.stringify({ profile: 'light' }), { expect: [201, 202] });
      if (i >= RUNNING) await hub.api('DELETE', path, undefined, { expect: [202, 204] });
    },
  );
  console.log(`${bin ? 'before: ' : ''}made ${USERS} users and ${SERVERS} servers in ${ms(performance.now() - t0)}`);
  return hub;
};

/** Median-ready samples of `GET path` on the hub, as an admin, LOADS times. */
const apiTimes = async (hub, path) => {
  const times = [];
  for (let i = 0; i < LOADS; i++) {
    const r = await httpRequest('GET', hub.url + path, { headers: { ...hub.auth, accept: PAGINATION } });
    if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}`);
    times.push(r.ms);
  }
  return times;
};

/** The admin page's and the home page's times to show, LOADS loads each, alternating, after one warm-up each. */
const pageTimes = async (browser, hub) => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${hub.url}/hub/login`);
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill('pw123456');
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/hub\/home$/);
  await timeToShow(page, `${hub.url}/hub/admin`, '[data-testid="admin-user"]', PAGE);
  await timeToShow(page, `${hub.url}/hub/home`, '[data-testid="server-row"]', 1);
  const admin = [];
  const home = [];
  for (let i = 0; i < LOADS; i++) {
    admin.push(await timeToShow(page, `${hub.url}/hub/admin`, '[data-testid="admin-user"]', PAGE));
    home.push(await timeToShow(page, `${hub.url}/hub/home`, '[data-testid="server-row"]', 1));
  }
  await page.context().close();
  return { admin, home };
};

const row = (what, xs) => [what, ms(median(xs)), ms(Math.min(...xs)), ms(Math.max(...xs))];

runBench(async () => {
  // BENCH_ADMIN_BEFORE: a checkout of nbhub from before this change, built (its bin/nbhub.js, dist and web/dist), whose
  // one-card-per-user admin page is measured the same way as a reference.
  const before = process.env['BENCH_ADMIN_BEFORE'];
  banner('admin-page', `The admin page with ${USERS} users and ${SERVERS} servers (${RUNNING} running): time to its first page of ${PAGE} users, in Chromium.`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const rows = [['what', 'median', 'min', 'max']];
    let adminMedian = NaN;
    for (const bin of before ? [undefined, `${before}/bin/nbhub.js`] : [undefined]) {
      const hub = await makeHub(bin);
      try {
        const label = bin ? 'before (one card per user)' : 'this build';
        const api = await apiTimes(hub, `/hub/api/users?include_stopped_servers=1&offset=0&limit=${PAGE}${bin ? '' : '&sort=name'}`);
        const search = bin ? undefined : await apiTimes(hub, `/hub/api/users?include_stopped_servers=1&limit=${PAGE}&search=nb&sort=-last_activity`);
        const { admin, home } = await pageTimes(browser, hub);
        rows.push(row(`${label}: admin page, first ${PAGE} users shown`, admin));
        rows.push(row(`${label}: home page, its list shown (reference)`, home));
        rows.push(row(`${label}: users API, a page of ${PAGE}`, api));
        if (search) rows.push(row(`${label}: users API, search=nb by last activity`, search));
        if (!bin) {
          adminMedian = median(admin);
          info('admin-page', 'home page shown (median)', ms(median(home)));
          info('admin-page', `users API page of ${PAGE} (median)`, ms(median(api)));
        } else info('admin-page', 'before: one-card-per-user admin page shown (median)', ms(median(admin)));
      } finally {
        await hub.stop();
      }
    }
    table(rows);
    target('admin-page', `admin table's first ${PAGE} of ${USERS} users shown (median of ${LOADS})`, ms(adminMedian), '< 1000 ms', adminMedian < 1000);
  } finally {
    await browser.close();
  }
});
