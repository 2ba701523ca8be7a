import { downloadText, toCsv } from '../csv.js';

/** Saves a table as CSV (header row first), made in the browser. */
export const CsvButton = (p: { testid: string; filename: string; rows: () => Array<Array<string | number>>; disabled?: boolean }) => (
  <button type="button" data-testid={p.testid} disabled={p.disabled} onClick={() => downloadText(p.filename, toCsv(p.rows()))}>
    Export CSV
  </button>
);
