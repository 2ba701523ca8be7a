import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reported } from './changes.js';

/** What the agent reported, kept in its data dir (replaced atomically). */
export const reportedFile = (dir: string): { load(): Reported; save(r: Reported): void } => {
  const file = join(dir, 'reported.json');
  return {
    load: () => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Reported) : {}),
    save: (r) => {
      writeFileSync(`${file}.tmp`, JSON.stringify(r));
      renameSync(`${file}.tmp`, file);
    },
  };
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** One agent per data dir: two writers would corrupt the log. A lock left by a killed agent is taken over. */
export const lockDir = (dir: string): (() => void) => {
  const file = join(dir, 'agent.lock');
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8'));
    if (pid !== process.pid && pid > 0 && alive(pid)) throw new Error(`another agent (pid ${pid}) uses ${dir}`);
  }
  writeFileSync(file, String(process.pid));
  return () => rmSync(file, { force: true });
};
