import { z } from 'zod';

/**
 * The runtime, app and managed service log files kept per start (issue 18), apart from schema.ts. Shipping (`logs.ship`) hangs
 * beside these keys under `logs`.
 */
export const logFilesSchema = {
  bytes_per_file: z
    .number()
    .int()
    .min(4096)
    .max(2 ** 40)
    .default(10 << 20)
    .describe(
      "A log file (one stream of one start) past this size is rotated: its last bytes_per_file bytes are kept in a .1 beside it and it is truncated (the runtime writes in append mode, so it goes on at the start; as with logrotate's copytruncate, a line written in the instant between the last copy and the truncate is lost). Also the most the hub reads of one file in one pass.",
    ),
  starts_kept: z.number().int().min(1).max(10_000).default(10).describe("Starts whose output is kept per server (and per managed service: each start of its process; per Spark cluster: each start of its master and workers); the oldest start's files are deleted when a new one begins."),
  bytes_per_server: z
    .number()
    .int()
    .min(4096)
    .max(2 ** 50)
    .default(200 << 20)
    .describe("Disk the log files of one server (or managed service, or Spark cluster) may use, all starts together; past it the oldest starts are deleted (never the newest)."),
  poll_seconds: z
    .number()
    .min(0.05)
    .max(60)
    .default(0.5)
    .describe('How often the hub looks at the running logs for new lines (and rotation), besides being told by the file system (fs.watch). At least 0.05.'),
};
