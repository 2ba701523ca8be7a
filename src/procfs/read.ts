import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

const buffer = Buffer.allocUnsafe(4096);

/**
 * A small /proc file as text, or undefined when it cannot be read (the process is gone). One open, one read
 * into a reused buffer: about 2.5× cheaper than readFileSync, which also stats the file and allocates; it
 * matters where files are read per kernel message (the execution probe) or per process per sweep.
 */
export const readProcText = (path: string): string | undefined => {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    // A file larger than the buffer (a long list of children) is read whole the usual way.
    return n < buffer.length ? buffer.toString('latin1', 0, n) : readFileSync(path, 'latin1');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
};
