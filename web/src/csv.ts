/** CSV (RFC 4180) made in the browser, and saved through a Blob link. */

const cell = (v: string | number): string => {
  let s = String(v);
  // A spreadsheet would run a text cell starting with = + - @ as a formula.
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const toCsv = (rows: ReadonlyArray<ReadonlyArray<string | number>>): string => rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';

/** Saves `text` as a file named `filename`, without a round trip to the hub. */
export const downloadText = (filename: string, text: string, type = 'text/csv;charset=utf-8'): void => {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own reference by now; give slow browsers a moment anyway.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
};
