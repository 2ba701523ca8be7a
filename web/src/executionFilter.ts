/** Which executions the server page lists, kept in its address: ?notebook=…&from=…&to=… (Unix seconds). */
export interface ExecutionFilter {
  notebook?: string;
  from?: number;
  to?: number;
}

const seconds = (v: string | null): number | undefined => (v !== null && /^\d{1,12}$/.test(v) ? Number(v) : undefined);

export const parseExecutionFilter = (search: string): ExecutionFilter => {
  const p = new URLSearchParams(search);
  const notebook = p.get('notebook');
  const from = seconds(p.get('from'));
  const to = seconds(p.get('to'));
  return { ...(notebook ? { notebook } : {}), ...(from !== undefined && to !== undefined && from <= to ? { from, to } : {}) };
};

export const executionFilterSearch = (f: ExecutionFilter): string => {
  const p = new URLSearchParams();
  if (f.notebook) p.set('notebook', f.notebook);
  if (f.from !== undefined && f.to !== undefined) {
    p.set('from', String(f.from));
    p.set('to', String(f.to));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
};
