import type { Logger } from '../core/logger.js';

/**
 * SIGTERM or SIGINT closes the process once: `close` runs, then the process exits 0, or 1 when closing
 * failed (logged). A second signal while closing is ignored.
 */
export const closeOnSignals = (log: Logger, message: string, close: () => Promise<void>): void => {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, message);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
};
