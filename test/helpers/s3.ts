import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/spawners/local/ports.js';

/** Where scripts/install-deps.sh --test builds versitygw (its version pinned in scripts/requirements/versitygw.txt). */
export const versitygwBin = (): string => join(process.env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share'), 'nbhub', 'bin', 'versitygw');

/** Why the S3 tests cannot run here, or null: the binary is missing or is not the pinned version. */
export const s3Missing = (): string | null => {
  const bin = versitygwBin();
  if (!existsSync(bin)) return `versitygw is not built: ${bin} is missing (run scripts/install-deps.sh --test)`;
  const pin = readFileSync(fileURLToPath(new URL('../../scripts/requirements/versitygw.txt', import.meta.url)), 'utf8').trim();
  const stamp = (() => {
    try {
      return readFileSync(join(bin, '..', '.versitygw-version'), 'utf8').trim();
    } catch {
      return '';
    }
  })();
  return stamp === pin ? null : `versitygw at ${bin} is not ${pin} (run scripts/install-deps.sh --test)`;
};

export interface TestS3 {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
  /** The folder the posix backend serves (a bucket is a folder in it). */
  dir: string;
  stop(): Promise<void>;
}

/**
 * versitygw in single-account mode on a free loopback port, over a temporary folder, with random keys. Waits
 * until it answers; stop() ends it and removes the folder.
 */
export const startTestS3 = async (): Promise<TestS3> => {
  const missing = s3Missing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-s3-'));
  const port = await freePort();
  const accessKey = 'nbhub' + randomBytes(6).toString('hex');
  const secretKey = randomBytes(24).toString('base64url');
  const region = 'us-east-1';
  let out = '';
  const proc: ChildProcess = spawn(versitygwBin(), ['--access', accessKey, '--secret', secretKey, '--region', region, '--port', `127.0.0.1:${port}`, 'posix', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) {
      await stop();
      throw new Error(`versitygw exited with ${proc.exitCode}:\n${out}`);
    }
    // Any HTTP answer (an unsigned request gets 403) means it listens.
    const up = await fetch(endpoint + '/').then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`versitygw did not answer on ${endpoint}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint, accessKey, secretKey, region, dir, stop };
};
