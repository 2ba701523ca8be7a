import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { renderMetrics } from './exposition.js';
import { metricNamesIn, parseExposition, promtool, ratedNamesIn, realisticInput } from './testing.js';

const deploy = (path: string): string => fileURLToPath(new URL(`../../deploy/${path}`, import.meta.url));
const ALERTS = deploy('prometheus/alerts.yml');
const PROMETHEUS = deploy('prometheus/prometheus.yml');
const DASHBOARD = deploy('grafana/nbhub-dashboard.json');

/** What renderMetrics emits (its TYPE lines), plus the series Prometheus itself adds to every target. */
const emitted = new Map([...parseExposition(renderMetrics(realisticInput()))].map(([name, f]) => [name, f.type]));
const SYNTHETIC = new Map([['up', 'gauge']]);
const typeOf = (name: string): string | undefined => emitted.get(name) ?? SYNTHETIC.get(name);

interface Target { refId: string; expr: string; datasource?: { type: string; uid: string } }
interface Panel { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; datasource?: { uid: string }; targets?: Target[]; panels?: Panel[]; fieldConfig?: { defaults?: { custom?: { stacking?: { mode: string } } } } }
interface Variable { name: string; type: string; query: string | { query: string }; datasource?: { uid: string } }
interface Dashboard { schemaVersion: number; uid: string; panels: Panel[]; templating: { list: Variable[] } }
interface Rule { alert?: string; record?: string; expr: string }
interface RuleFile { groups: Array<{ name: string; rules: Rule[] }> }

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
const allPanels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queryPanels = allPanels.filter((p) => p.type !== 'row');
const variableQuery = (v: Variable): string => (typeof v.query === 'string' ? v.query : v.query.query);
/** label_values(<selector>, <label>) selects <selector>. */
const variableSelector = (q: string): string => /^label_values\((.*),\s*\w+\s*\)$/.exec(q)?.[1] ?? q;
const dashboardExprs: Array<{ where: string; expr: string }> = [
  ...queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr }))),
  ...dashboard.templating.list.filter((v) => v.type === 'query').map((v) => ({ where: `variable ${v.name}`, expr: variableSelector(variableQuery(v)) })),
];
const alertRules = (parseYaml(readFileSync(ALERTS, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);

const tmp = mkdtempSync(join(tmpdir(), 'nbhub-deploy-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('metric names in PromQL (the drift check itself)', () => {
  it('finds the selected metrics and nothing else', () => {
    expect(metricNamesIn('sum by (user, server) (rate(a_total{job=~"$job", x="y{z}"}[$__rate_interval])) / on (instance) group_left b_bytes offset 5m > 3 * c')).toEqual(['a_total', 'b_bytes', 'c']);
    expect(metricNamesIn('topk(10, max_over_time(nbhub_x[1h])) and time() - 1e3 > bool 0.5')).toEqual(['nbhub_x']);
    expect(ratedNamesIn('increase(x_total[5m]) + rate( y[1m])')).toEqual(['x_total', 'y']);
  });
});

describe('deploy/prometheus', () => {
  it('alerts.yml passes promtool check rules', () => {
    const r = promtool(['check', 'rules', ALERTS]);
    expect(r.output).toContain(`SUCCESS: ${alertRules.length} rules found`);
    expect(r.output).not.toMatch(/WARNING|FAILED/);
    expect(r.status).toBe(0);
  });

  it('alerts fire when they should and only then (promtool test rules on alerts.test.yml)', () => {
    const r = promtool(['test', 'rules', deploy('prometheus/alerts.test.yml')]);
    expect(r.output).toContain('SUCCESS');
    expect(r.status, r.output).toBe(0);
  });

  it('has the alerts the issue asks for, on metrics renderMetrics emits', () => {
    const byName = new Map(alertRules.map((r) => [r.alert, r.expr]));
    expect(byName.get('NbhubRuntimeOverMemoryLimit')).toBe('nbhub_runtime_memory_bytes > nbhub_runtime_memory_limit_bytes');
    expect(byName.get('NbhubNotSampling')).toBe('time() - nbhub_sampler_last_sweep_timestamp_seconds > 3 * nbhub_sampler_interval_seconds');
    expect(byName.get('NbhubSamplerAbsent')).toMatch(/^absent\(nbhub_sampler_last_sweep_timestamp_seconds\{/);
    expect(byName.get('NbhubSamplerErrors')).toMatch(/increase\(nbhub_sampler_errors_total\[/);
    for (const rule of alertRules) {
      for (const name of metricNamesIn(rule.expr)) expect(typeOf(name), `${rule.alert}: ${name}`).toBeDefined();
      for (const name of ratedNamesIn(rule.expr)) expect(typeOf(name), `${rule.alert}: rate of ${name}`).toBe('counter');
    }
  });

  it('prometheus.yml scrapes /hub/metrics with a bearer token file and passes promtool check config', () => {
    const text = readFileSync(PROMETHEUS, 'utf8');
    const config = parseYaml(text) as { rule_files: string[]; scrape_configs: Array<{ job_name: string; metrics_path: string; authorization: { type: string; credentials_file: string } }> };
    const job = config.scrape_configs.find((c) => c.metrics_path === '/hub/metrics');
    expect(job?.authorization.type).toBe('Bearer');
    // The alert rules select the job by the name this example gives it.
    for (const rule of alertRules.filter((r) => /job="/.test(r.expr))) expect(rule.expr).toContain(`job="${job?.job_name}"`);
    // promtool checks that the credentials file exists: point it at a placeholder, next to a copy of the rules.
    const token = join(tmp, 'nbhub-token');
    writeFileSync(token, 'placeholder-admin-token\n');
    for (const f of config.rule_files) copyFileSync(deploy(`prometheus/${f}`), join(tmp, f));
    const file = join(tmp, 'prometheus.yml');
    expect(job?.authorization.credentials_file).toBeTruthy();
    writeFileSync(file, text.replace(/^(\s*credentials_file:\s*)\S+$/m, `$1${token}`));
    const r = promtool(['check', 'config', file]);
    expect(r.output).toContain('is valid prometheus config file syntax');
    expect(r.output).toContain(`SUCCESS: ${alertRules.length} rules found`);
    expect(r.status, r.output).toBe(0);
  });
});

describe('deploy/grafana/nbhub-dashboard.json', () => {
  it('queries only metrics that renderMetrics emits, and rates only counters', () => {
    expect(dashboardExprs.length).toBeGreaterThan(10);
    for (const { where, expr } of dashboardExprs) {
      const names = metricNamesIn(expr);
      expect(names.length, `${where}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(emitted.has(name), `${where}: ${name} is not emitted`).toBe(true);
      for (const name of ratedNamesIn(expr)) expect(emitted.get(name), `${where}: rate of ${name}`).toBe('counter');
    }
  });

  it('has queries Prometheus can parse (promtool check rules on them as recording rules)', () => {
    const substitute = (e: string) =>
      e.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m').replace(/\$\{?\w+\}?/g, '.*');
    const rules = { groups: [{ name: 'dashboard', rules: dashboardExprs.map((q, i) => ({ record: `nbhub_dashboard:query_${i}`, expr: substitute(q.expr) })) }] };
    const file = join(tmp, 'dashboard-queries.yml');
    writeFileSync(file, stringifyYaml(rules));
    const r = promtool(['check', 'rules', file]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(`SUCCESS: ${dashboardExprs.length} rules found`);
  });

  it('takes its data source and filters from variables', () => {
    expect(dashboard.schemaVersion).toBe(39);
    const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect(vars.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(variableQuery(vars.get('user')!)).toMatch(/^label_values\(.*, user\)$/);
    expect(variableQuery(vars.get('server')!)).toMatch(/^label_values\(.*, server\)$/);
    const builtins = new Set(['__rate_interval', '__interval', '__range']);
    for (const { where, expr } of dashboardExprs) {
      for (const [, name] of expr.matchAll(/\$\{?(\w+)\}?/g)) expect(builtins.has(name!) || vars.has(name!), `${where}: $${name}`).toBe(true);
    }
    for (const p of queryPanels) {
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe('${datasource}');
    }
    for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) expect(v.datasource?.uid, v.name).toBe('${datasource}');
  });

  it('has the panels the issue asks for, laid out without overlap', () => {
    const exprsOf = (p: Panel) => (p.targets ?? []).map((t) => t.expr).join('\n');
    const find = (re: RegExp) => queryPanels.filter((p) => re.test(exprsOf(p)));
    expect(find(/rate\(nbhub_runtime_cpu_seconds_total/).length).toBeGreaterThan(0);
    expect(find(/^sum by \(user, server\) \(nbhub_runtime_memory_bytes/m).length).toBeGreaterThan(0);
    for (const re of [/rate\(nbhub_kernel_cpu_seconds_total/, /\(nbhub_kernel_memory_bytes/]) {
      expect(find(re).some((p) => p.fieldConfig?.defaults?.custom?.stacking?.mode === 'normal'), String(re)).toBe(true);
    }
    expect(find(/topk\(10,/).length).toBeGreaterThanOrEqual(2);
    expect(find(/nbhub_sampler_last_sweep_timestamp_seconds/).length).toBeGreaterThan(0);
    const ids = allPanels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const a of allPanels) {
      expect(a.gridPos.x + a.gridPos.w, a.title).toBeLessThanOrEqual(24);
      for (const b of allPanels) {
        if (a === b) continue;
        const apart = a.gridPos.x + a.gridPos.w <= b.gridPos.x || b.gridPos.x + b.gridPos.w <= a.gridPos.x || a.gridPos.y + a.gridPos.h <= b.gridPos.y || b.gridPos.y + b.gridPos.h <= a.gridPos.y;
        expect(apart, `${a.title} overlaps ${b.title}`).toBe(true);
      }
    }
  });
});
