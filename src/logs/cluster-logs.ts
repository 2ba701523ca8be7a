import type { ClusterLogs, ClusterLogStream, LogPage, LogRange } from '../core/logs.js';
import { clusterLogDir } from './layout.js';
import { LogDirReader, type LogDirOptions } from './log-dir.js';

/** A Spark cluster's kept output, per start, one stream per process, read from its log files (layout.ts). */
export class FileClusterLogs implements ClusterLogs {
  private readonly reader: LogDirReader;

  constructor(private readonly o: LogDirOptions & { dataDir: string }) {
    this.reader = new LogDirReader(o);
  }

  read(cluster: string, range: LogRange): Promise<LogPage> {
    return this.reader.read(clusterLogDir(this.o.dataDir, cluster), range);
  }

  follow(cluster: string, start: string, stream: ClusterLogStream, from: number, signal: AbortSignal, send: (lines: string[]) => void): void {
    this.reader.follow(clusterLogDir(this.o.dataDir, cluster), start, stream, from, signal, send);
  }
}
