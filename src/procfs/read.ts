import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

const buffer = Buffer.allocUnsafe(4096);

/**
 * A small /proc file as text, or undefined when it cannot be read (the process is gone). One open, one read
 * into a reused buffer: about 2.5× cheaper than readFileSync, which also stats the file and allocates; it
 * matters where files are read per kernel message (the execution probe) or per process per sweep.
 */
export const readProcText = (path: string): string | undefined => {
  const n = readProcBytes(path);
  if (n < 0) return undefined;
  // A seq_file read returns whole records only, so a longer file (a long list of children) comes back a little
  // short of the buffer, not full: near full, it is read whole the usual way.
  if (!mayContinue(n)) return buffer.toString('latin1', 0, n);
  return readProcTable(path);
};

/** How far short of the buffer a seq_file read may stop when more follows (its records are shorter than this). */
const SHORT_OF_FULL = 512;

/** Whether a read of `n` bytes into the buffer may have left part of the file unread (see readProcText). */
export const mayContinue = (n: number): boolean => n >= buffer.length - SHORT_OF_FULL;

/**
 * A /proc file of any length (a table such as /proc/net/tcp, one line per socket of the machine), read to its
 * end: one read of a seq_file returns at most a page, so its length says nothing of what follows.
 */
export const readProcTable = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
};

/**
 * Reads a small /proc file into `procBytes()` (valid until the next read); the byte count, -1 when it cannot be
 * read. A count equal to the buffer's size means the file may be longer.
 */
export const readProcBytes = (path: string): number => {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return -1;
  }
  try {
    return readSync(fd, buffer, 0, buffer.length, 0);
  } catch {
    return -1;
  } finally {
    closeSync(fd);
  }
};

/** The buffer readProcBytes and ProcFile.read fill. */
export const procBytes = (): Buffer => buffer;

/**
 * A /proc file kept open and read again from its start: the kernel writes a process's stat or children anew
 * for every read, so this saves the open and close of each look (the execution probe looks at a kernel when
 * each execution starts and ends). The file stays bound to the process it was opened for: once that process
 * is gone, reads fail (ESRCH) or come back empty, even if its pid is used again.
 */
export class ProcFile {
  private fd: number | undefined;

  constructor(readonly path: string) {}

  /** Reads the file into `procBytes()` (opening it again if it was closed); the byte count, -1 when it cannot be read (then it is closed). */
  read(): number {
    try {
      this.fd ??= openSync(this.path, 'r');
      return readSync(this.fd, buffer, 0, buffer.length, 0);
    } catch {
      this.close();
      return -1;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }
}
