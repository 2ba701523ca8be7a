import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Pod addresses in 127.0.0.0/8, one per pod, unique across every process kubelet on this machine (several
 * test clusters run at once): an address is taken by creating /tmp/nbhub-pod-ips/<ip> exclusively, holding
 * the kubelet's pid; a file whose pid is gone is free again.
 */
const DIR = process.env['NBHUB_POD_IP_DIR'] ?? '/tmp/nbhub-pod-ips';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export const allocateIp = (owner: string): string => {
  mkdirSync(DIR, { recursive: true });
  for (let attempt = 0; attempt < 1000; attempt++) {
    // 127.1.0.1 – 127.254.255.254: clear of 127.0.0.0/16, where the control plane and the hub listen.
    const ip = `127.${1 + Math.floor(Math.random() * 254)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
    const file = join(DIR, ip);
    try {
      writeFileSync(file, `${process.pid} ${owner}\n`, { flag: 'wx' });
      return ip;
    } catch {
      const pid = Number(readFileSync(file, 'utf8').split(' ')[0]);
      if (!alive(pid)) rmSync(file, { force: true });
    }
  }
  throw new Error('no free pod address in 127.0.0.0/8');
};

export const releaseIp = (ip: string) => rmSync(join(DIR, ip), { force: true });

/** Addresses this process holds, released all at once when the kubelet exits. */
export const releaseAllMine = () => {
  let names: string[] = [];
  try {
    names = readdirSync(DIR);
  } catch {
    return;
  }
  for (const ip of names) {
    try {
      if (Number(readFileSync(join(DIR, ip), 'utf8').split(' ')[0]) === process.pid) rmSync(join(DIR, ip), { force: true });
    } catch { /* taken by another meanwhile */ }
  }
};
