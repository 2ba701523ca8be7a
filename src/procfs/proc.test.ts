import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLK_TCK, environValue, PAGE_SIZE, readStat } from './proc.js';

describe('readStat', () => {
  it('reads the fields nbhub uses as a split of the line gives them', () => {
    for (const pid of [process.pid, process.ppid, 1]) {
      const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const st = readStat(pid);
      expect(st).toMatchObject({ pid, state: rest[0], ppid: Number(rest[1]), pgrp: Number(rest[2]), startTime: Number(rest[19]) });
      // CPU and memory move between the two reads.
      expect(st?.cpuSeconds).toBeCloseTo((Number(rest[11]) + Number(rest[12])) / CLK_TCK, 0);
      expect(st?.childCpuSeconds).toBeCloseTo((Number(rest[13]) + Number(rest[14])) / CLK_TCK, 0);
      expect(Math.abs((st?.rssBytes ?? 0) - Number(rest[21]) * PAGE_SIZE)).toBeLessThan(64 * 1024 * 1024);
    }
    expect(readStat(2 ** 30)).toBeUndefined();
  });
});

describe('environValue', () => {
  it('finds a variable first, in the middle or last in the environment, and not a longer name', () => {
    const env = 'NBHUB_RUNTIME=alice/lab\0PATH=/bin\0NBHUB_HUB=h1\0XNBHUB_HUB=no';
    expect(environValue(env, 'NBHUB_RUNTIME')).toBe('alice/lab');
    expect(environValue(env, 'PATH')).toBe('/bin');
    expect(environValue(env, 'NBHUB_HUB')).toBe('h1');
    expect(environValue(env, 'NBHUB_PORT')).toBeNull();
    expect(environValue('A=1', 'A')).toBe('1');
  });
});
