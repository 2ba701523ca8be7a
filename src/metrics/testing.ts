/** Test support for src/metrics and test/: a realistic input and the real promtool. Not used by the server. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { RuntimeSnapshot } from '../core/usage.js';
import type { MetricsInput } from './types.js';

export const PROMTOOL = '/usr/bin/promtool';

export interface ToolResult {
  status: number | null;
  /** stdout and stderr together: promtool writes its findings to stderr. */
  output: string;
}

export const promtool = (args: string[], input?: string): ToolResult => {
  if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} not found: install the Debian package prometheus (scripts/install-deps.sh --test)`);
  const r = spawnSync(PROMTOOL, args, { input: input ?? '', encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
};

const T = 1_760_000_000;

/**
 * Three users: alice with two kernels (one shared by two notebooks, one that a notebook with awkward
 * characters in its path runs), bob with a named server and a kernel that no session names, carol stopped.
 */
const snapshots: RuntimeSnapshot[] = [
  {
    t: T,
    user: 'alice',
    server: '',
    samples: [
      { t: T, user: 'alice', server: '', kernel: null, cpuSecondsTotal: 125.5, cpuSecondsFrom: 125.5, memoryBytes: 734_003_200 },
      { t: T, user: 'alice', server: '', kernel: 'k-shared', cpuSecondsTotal: 100.25, cpuSecondsFrom: 100.25, memoryBytes: 524_288_000 },
      { t: T, user: 'alice', server: '', kernel: 'k-odd', cpuSecondsTotal: 3, cpuSecondsFrom: 3, memoryBytes: 104_857_600 },
    ],
    processes: [
      { pid: 100, ppid: 1, command: 'jupyter-server', cpu: 0.01, memory: 104_857_600, kernelId: null },
      { pid: 101, ppid: 100, command: 'python -m ipykernel_launcher -f kernel-k-shared.json', cpu: 0.98, memory: 419_430_400, kernelId: 'k-shared' },
      { pid: 102, ppid: 101, command: 'sleep 1000', cpu: 0, memory: 1_048_576, kernelId: 'k-shared' },
      { pid: 103, ppid: 100, command: 'python -m ipykernel_launcher -f kernel-k-odd.json', cpu: 0, memory: 104_857_600, kernelId: 'k-odd' },
    ],
    fresh: [],
    rootCpuSeconds: 1,
    notebooks: {
      'k-shared': ['work/b.ipynb', 'a.ipynb', 'work/b.ipynb'],
      'k-odd': ['say "hi"\\there\nnow é.ipynb'],
    },
  },
  {
    t: T,
    user: 'bob',
    server: 'gpu-lab',
    samples: [
      { t: T, user: 'bob', server: 'gpu-lab', kernel: null, cpuSecondsTotal: 0.5, cpuSecondsFrom: 0.5, memoryBytes: 90_000_000 },
      { t: T, user: 'bob', server: 'gpu-lab', kernel: 'k-lone', cpuSecondsTotal: 0.2, cpuSecondsFrom: 0.2, memoryBytes: 50_000_000 },
    ],
    processes: [
      { pid: 200, ppid: 1, command: 'jupyter-server', cpu: 0, memory: 40_000_000, kernelId: null },
      { pid: 201, ppid: 200, command: 'python -m ipykernel_launcher -f kernel-k-lone.json', cpu: 0, memory: 50_000_000, kernelId: 'k-lone' },
    ],
    notebooks: {},
    fresh: [],
    rootCpuSeconds: 0.3,
  },
];

export const realisticInput = (): MetricsInput => ({
  snapshots: structuredClone(snapshots),
  runtimes: [
    { user: 'alice', server: '', state: 'running', memoryLimitBytes: 2_147_483_648 },
    { user: 'bob', server: 'gpu-lab', state: 'running', memoryLimitBytes: null },
    { user: 'bob', server: '', state: 'stopped', memoryLimitBytes: 1_073_741_824 },
    { user: 'carol', server: '', state: 'pending', memoryLimitBytes: 536_870_912 },
    { user: 'dave', server: 'x', state: 'failed', memoryLimitBytes: null },
  ],
  users: 4,
  sampler: { intervalSeconds: 10, lastSweepSeconds: T + 0.25, lastSweepDurationSeconds: 0.0125, sweeps: 360, errors: 2 },
  hub: { startTimeSeconds: T - 3600, residentMemoryBytes: 104_857_600, cpuSecondsTotal: 42.5 },
  logShipping: [
    { sink: 'gelf+udp://graylog.example:12201', shipped: 120_000, truncated: 2, queued: 0, dropped: { queue_full: 0, rejected: 0, send_failed: 3, closing: 0 } },
    { sink: 'loki+https://loki.example/loki/api/v1/push', shipped: 119_000, truncated: 0, queued: 1000, dropped: { queue_full: 1000, rejected: 5, send_failed: 0, closing: 0 } },
  ],
  logFeed: { skippedBytes: 5_242_880, droppedHubLines: 12 },
});

export interface ParsedFamily {
  help: string;
  type: string;
  samples: Array<{ labels: Record<string, string>; value: number }>;
}

const unescape = (v: string): string => v.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));

/** A strict reader of what renderMetrics writes (no timestamps), to assert on values rather than on text. */
export const parseExposition = (text: string): Map<string, ParsedFamily> => {
  const families = new Map<string, ParsedFamily>();
  const family = (name: string): ParsedFamily => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { help: '', type: '', samples: [] }));
    return f;
  };
  if (!text.endsWith('\n')) throw new Error('exposition must end with a line feed');
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const f = family(meta[2]!);
      if (meta[1] === 'HELP') f.help = meta[3]!;
      else f.type = meta[3]!;
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
    let consumed = 0;
    for (let l = re.exec(body); l; l = re.exec(body)) {
      labels[l[1]!] = unescape(l[2]!);
      consumed = re.lastIndex;
    }
    if (consumed !== body.length) throw new Error(`bad labels: ${JSON.stringify(line)}`);
    const raw = m[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    family(m[1]!).samples.push({ labels, value });
  }
  return families;
};

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression (a Grafana one included, with its $variables) selects: what is
 * left once strings, label matchers, ranges, grouping clauses, variables, numbers, functions and keywords
 * are taken out. Enough for the queries we write; promtool checks their syntax separately.
 */
export const metricNamesIn = (expr: string): string[] => {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+-?[\w$]+/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ')
    .replace(/(^|[^\w:.])\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi, '$1 ');
  const names = [...bare.matchAll(/[a-zA-Z_:][\w:]*(?![\w:]|\s*\()/g)].map((m) => m[0]).filter((n) => !PROMQL_KEYWORDS.has(n));
  return [...new Set(names)];
};

/** Metric names given to rate(), irate() or increase(): they must be counters. */
export const ratedNamesIn = (expr: string): string[] =>
  [...expr.matchAll(/\b(?:rate|irate|increase)\s*\(\s*([a-zA-Z_:][\w:]*)/g)].map((m) => m[1]!);
