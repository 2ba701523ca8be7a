import { rm } from 'node:fs/promises';
import type { LogPage, LogRange, ServerLogs, ServerLogStream } from '../core/logs.js';
import { serverLogDir, userLogDir } from './layout.js';
import { LogDirReader, type LogDirOptions } from './log-dir.js';

export type ServerLogsOptions = LogDirOptions & { dataDir: string };

/** A server's kept output, read from its log files (layout.ts). */
export class FileServerLogs implements ServerLogs {
  private readonly reader: LogDirReader;

  constructor(private readonly o: ServerLogsOptions) {
    this.reader = new LogDirReader(o);
  }

  private dir(user: string, server: string): string {
    return serverLogDir(this.o.dataDir, user, server);
  }

  read(user: string, server: string, range: LogRange): Promise<LogPage> {
    return this.reader.read(this.dir(user, server), range);
  }

  follow(user: string, server: string, start: string, stream: ServerLogStream, from: number, signal: AbortSignal, send: (lines: string[]) => void): void {
    this.reader.follow(this.dir(user, server), start, stream, from, signal, send);
  }

  async removeServer(user: string, server: string): Promise<void> {
    await rm(this.dir(user, server), { recursive: true, force: true });
  }

  async removeUser(user: string): Promise<void> {
    await rm(userLogDir(this.o.dataDir, user), { recursive: true, force: true });
  }
}
