/** A server's options (JupyterHub's user_options) as the console shows them: label and value, in words. */
export interface OptionField {
  key: string;
  label: string;
  value: string;
}

const LABELS: Record<string, string> = { profile: 'Profile', spark_cluster: 'Spark cluster' };

const words = (key: string): string => {
  const w = key.replace(/[_-]+/g, ' ').trim();
  return w ? w[0]?.toUpperCase() + w.slice(1) : key;
};

const text = (v: unknown): string => {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? '—' : v.map((x) => (typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x))).join(', ');
  return JSON.stringify(v);
};

/**
 * Readable fields of a server's options (pure), in the order given; the profile by what it runs
 * (`profileName` gives its display name).
 */
export const optionFields = (options: Record<string, unknown>, profileName: (name: string) => string): OptionField[] =>
  Object.entries(options).map(([key, v]) => ({
    key,
    label: LABELS[key] ?? words(key),
    value: key === 'profile' && typeof v === 'string' && v !== '' ? profileName(v) : text(v),
  }));
