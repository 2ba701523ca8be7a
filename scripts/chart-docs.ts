/**
 * Writes deploy/helm/nbhub/README.md from the chart's values.yaml: the comment paragraph right above a key is
 * its documentation, as docs/configuration.md is generated from the config schema. A key without a comment
 * must be a map whose keys have theirs; an undocumented value is an error, so none can slip in unexplained.
 *
 *   node --import tsx scripts/chart-docs.ts           rewrite the README
 *   node --import tsx scripts/chart-docs.ts --check   exit 1 when it is out of date
 * (test/helm-chart-docs.test.ts keeps it in step.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';

export const CHART_DIR = fileURLToPath(new URL('../deploy/helm/nbhub/', import.meta.url));

export interface ValueDoc {
  key: string;
  default: string;
  description: string;
}

/** The last paragraph of a comment (a blank comment line separates a file's header from the first key's). */
const paragraph = (comment: string | null | undefined): string => {
  if (!comment) return '';
  const parts = comment.split(/\n\s*\n/);
  return (parts[parts.length - 1] ?? '')
    .split('\n')
    .map((l) => l.trim())
    .join(' ')
    .trim();
};

const hasComments = (map: YAMLMap): boolean =>
  !!map.commentBefore || map.items.some((p) => (isScalar(p.key) && !!p.key.commentBefore) || (isMap(p.value) && hasComments(p.value)));

/** Every documented value of a values.yaml, in file order; throws naming the values that have no comment. */
export const valueDocs = (valuesYaml: string): ValueDoc[] => {
  const doc = parseDocument(valuesYaml);
  if (doc.errors.length > 0) throw new Error(`values.yaml: ${doc.errors[0]?.message}`);
  const out: ValueDoc[] = [];
  const undocumented: string[] = [];
  const walk = (map: YAMLMap, path: string[], inherited: string | null | undefined): void => {
    map.items.forEach((pair, i) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyPath = [...path, key];
      // A comment above a map's first key is kept on the map itself.
      const comment = paragraph((isScalar(pair.key) ? pair.key.commentBefore : undefined) ?? (i === 0 ? inherited : undefined));
      // A map whose own keys are commented is a section: its comment introduces them, each gets its row.
      const section = isMap(pair.value) && hasComments(pair.value);
      if (section) {
        if (comment) out.push({ key: keyPath.join('.'), default: '', description: comment });
        walk(pair.value as YAMLMap, keyPath, (pair.value as YAMLMap).commentBefore);
      } else if (comment) {
        out.push({ key: keyPath.join('.'), default: JSON.stringify(pair.value == null ? null : doc.createNode(pair.value).toJSON()), description: comment });
      } else {
        undocumented.push(keyPath.join('.'));
      }
    });
  };
  if (!isMap(doc.contents)) throw new Error('values.yaml must hold a mapping');
  walk(doc.contents, [], doc.contents.commentBefore);
  if (undocumented.length > 0) throw new Error(`values.yaml: no comment above ${undocumented.join(', ')}`);
  return out;
};

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export const chartReadme = (valuesYaml: string, chartYaml: string): string => {
  const chart = parseDocument(chartYaml).toJSON() as { name: string; version: string; appVersion: string; description: string };
  const rows = valueDocs(valuesYaml).map((v) => (v.default === '' ? `| **\`${v.key}\`** | | ${cell(v.description)} |` : `| \`${v.key}\` | \`${cell(v.default)}\` | ${cell(v.description)} |`));
  return `# The ${chart.name} Helm chart

<!-- generated from values.yaml by \`node --import tsx scripts/chart-docs.ts\`; do not edit by hand -->

${chart.description}. Chart ${chart.version}, nbhub ${chart.appVersion}.

It installs, in the release's namespace: the hub (a Deployment, 2 replicas by default, sharing one
PostgreSQL), its Service, ServiceAccount and a Role limited to the runtimes' namespace, an agent on every node (a
DaemonSet reading the runtime pods' cgroups and /proc), a NetworkPolicy that lets only the hub and the agents
reach runtime pods, and an image puller that keeps every profile's image on every node (as Zero-to-JupyterHub's
continuous image puller). A ServiceMonitor, a PrometheusRule and the Grafana dashboard are there to turn on.

\`\`\`sh
helm install nbhub deploy/helm/nbhub --namespace nbhub --create-namespace \\
  --set database.url=postgres://nbhub:PASSWORD@postgres:5432/nbhub
\`\`\`

nbhub's own configuration (every key of docs/configuration.md) goes under \`config\`; profiles choose the image,
resources and the rest of each runtime's pod under \`config.profiles.<name>.kubernetes\`.

## Values

| key | default | meaning |
|---|---|---|
${rows.join('\n')}
`;
};

const main = (): void => {
  const text = chartReadme(readFileSync(`${CHART_DIR}values.yaml`, 'utf8'), readFileSync(`${CHART_DIR}Chart.yaml`, 'utf8'));
  const file = `${CHART_DIR}README.md`;
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      /* missing: out of date */
    }
    if (current !== text) {
      process.stderr.write(`${file} is out of date: run node --import tsx scripts/chart-docs.ts\n`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(file, text);
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
