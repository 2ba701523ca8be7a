/**
 * Prometheus text exposition format 0.0.4:
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge';

/** Label name → value, in the order they are written. */
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels: Labels;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

/** In a label value, backslash, double quote and line feed are escaped. */
export const escapeLabelValue = (v: string): string =>
  v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c));

/** In HELP text, backslash and line feed are escaped (a double quote is not). */
export const escapeHelp = (v: string): string => v.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));

export const formatValue = (v: number): string => {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
};

const formatLabels = (labels: Labels): string => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

/**
 * HELP and TYPE are written even for a family without samples: Prometheus ignores it, and a reader of
 * /hub/metrics sees every metric the hub can report. No timestamps: Prometheus stamps each scrape, and
 * series of a stopped runtime then go stale at once (explicit timestamps would disable staleness).
 */
export const renderFamily = (f: Family): string => {
  let out = `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
  for (const s of f.samples) out += `${f.name}${formatLabels(s.labels)} ${formatValue(s.value)}\n`;
  return out;
};
