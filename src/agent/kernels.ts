/** A kernel process names its connection file on its command line (DESIGN.md idea 5). */
const CONNECTION_FILE = /kernel-([0-9a-fA-F-]{8,64})\.json$/;

export const kernelIdOf = (argv: readonly string[]): string | null => {
  for (const arg of argv) {
    const m = CONNECTION_FILE.exec(arg);
    if (m) return m[1] as string;
  }
  return null;
};
