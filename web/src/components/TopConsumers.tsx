import { serverLabel, usageLabel } from '../labels.js';
import { serverPagePath } from '../router.js';
import { Link } from './Link.js';
import type { UsageTotal } from '../types.js';
import { bytes, cpuTime, percent } from '../units.js';

const TOP = 5;

interface Item {
  key: string;
  label: string;
  cpuSeconds: number;
  peakMemory: number;
  /** The page it leads to (a server's, deleted or not). */
  href?: string | undefined;
}

const TopList = (p: { title: string; items: Item[]; testid: string }) => {
  const all = p.items.reduce((n, i) => n + i.cpuSeconds, 0);
  const top = [...p.items].sort((a, b) => b.cpuSeconds - a.cpuSeconds).slice(0, TOP);
  const max = top[0]?.cpuSeconds ?? 0;
  return (
    <div class="top-list">
      <h3>{p.title}</h3>
      {top.length === 0 ? (
        <p class="muted">None in this range.</p>
      ) : (
        <ol data-testid={p.testid}>
          {top.map((i) => (
            <li key={i.key} data-testid={`${p.testid}-item`}>
              <div class="top-line">
                <span class="top-label" title={i.label}>
                  {i.href ? <Link href={i.href}>{i.label}</Link> : i.label}
                </span>
                <span class="muted small">
                  {cpuTime(i.cpuSeconds)} ({percent(i.cpuSeconds, all)}) · peak {bytes(i.peakMemory)}
                </span>
              </div>
              <div class="bar" style={{ width: `${max > 0 ? (i.cpuSeconds / max) * 100 : 0}%` }} />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
};

/** A server's page for a total about one server (or one of its notebooks). */
const pageOf = (t: UsageTotal): string | undefined => (t.labels.user !== undefined && t.labels.server !== undefined ? serverPagePath(t.labels.user, t.labels.server) : undefined);

const items = (totals: readonly UsageTotal[], label: (t: UsageTotal) => string): Item[] =>
  totals.map((t) => ({ key: JSON.stringify(t.labels), label: label(t), cpuSeconds: t.cpu_seconds, peakMemory: t.peak_memory, href: pageOf(t) }));

/** The servers and the notebooks (or kernels without one) that used the most CPU in the range. */
export const TopConsumers = (p: { servers: readonly UsageTotal[]; notebooks: readonly UsageTotal[] | Error }) => (
  <section>
    <h2>Top consumers</h2>
    <div class="columns">
      <TopList title="Servers" items={items(p.servers, (t) => serverLabel(t.labels))} testid="usage-top-servers" />
      {p.notebooks instanceof Error ? (
        <div class="top-list">
          <h3>Notebooks</h3>
          <p class="error">Could not load: {p.notebooks.message}</p>
        </div>
      ) : (
        <TopList title="Notebooks" items={items(p.notebooks, (t) => usageLabel(t.labels))} testid="usage-top-notebooks" />
      )}
    </div>
  </section>
);
