/** What `nbhub start` needs to know to tell the operator how to make the first admin. */
export interface FirstAdminFacts {
  admins: number;
  /** How the operator ran nbhub (`nbhub`, or the script's path). */
  command: string;
  /** The --data-dir flag the hub was started with, to repeat in the command. */
  dataDir?: string | undefined;
  url: string;
}

/**
 * The hint printed at every start while there is no admin (pure): a hub nobody can administer is stuck, and
 * an operator who missed the first start's output (or deleted the last admin) needs it as much.
 */
export const firstAdminHint = (f: FirstAdminFacts): string | null =>
  f.admins > 0
    ? null
    : `\nnbhub has no admin yet. Create the first admin (this works while the hub runs):\n` +
      `  ${f.command} user add admin --admin --password-stdin${f.dataDir ? ` --data-dir ${f.dataDir}` : ''}\n` +
      `then log in at ${f.url}/hub/\n\n`;
