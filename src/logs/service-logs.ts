import type { LogPage, LogRange, ServiceLogs } from '../core/logs.js';
import { serviceLogDir } from './layout.js';
import { LogDirReader, type LogDirOptions } from './log-dir.js';

/** A managed service's kept output, per start of its process, read from its log files (layout.ts). */
export class FileServiceLogs implements ServiceLogs {
  private readonly reader: LogDirReader;

  constructor(private readonly o: LogDirOptions & { dataDir: string }) {
    this.reader = new LogDirReader(o);
  }

  read(service: string, range: LogRange): Promise<LogPage> {
    return this.reader.read(serviceLogDir(this.o.dataDir, service), range);
  }

  follow(service: string, start: string, from: number, signal: AbortSignal, send: (lines: string[]) => void): void {
    this.reader.follow(serviceLogDir(this.o.dataDir, service), start, 'service', from, signal, send);
  }
}
