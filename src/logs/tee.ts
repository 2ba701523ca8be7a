/** What pino writes to: one JSON record per call, ending in a newline. */
export interface LineWritable {
  write(chunk: string): unknown;
}

/**
 * The hub's log destination: everything goes to `out` (stdout) as before, and each record is also offered to
 * `sink` (the LogFeed, which only queues it), once the feed exists: the logger is made first.
 */
export class TeeDestination implements LineWritable {
  sink: ((chunk: string) => void) | undefined;

  constructor(private readonly out: LineWritable) {}

  write(chunk: string): boolean {
    this.out.write(chunk);
    this.sink?.(chunk);
    return true;
  }
}
