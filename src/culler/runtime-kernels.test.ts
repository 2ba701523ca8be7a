import { expect, it } from 'vitest';
import { RuntimeApiError } from '../core/runtime-client.js';
import type { RunningRuntime } from '../core/usage.js';
import { runtimeKernels } from './runtime-kernels.js';

const rt: RunningRuntime = { user: 'alice', server: '', profile: 'default', rootPid: null, target: 'http://127.0.0.1:9', baseUrl: '/user/alice/', token: 't' };

it('takes a runtime without the kernels API (not Jupyter: 404) as one without kernels; any other failure is unknown', async () => {
  const failing = (err: Error) => runtimeKernels({ kernels: async () => Promise.reject(err), act: async () => 'done' });
  expect(await failing(new RuntimeApiError('status', 404, 'The runtime answered 404 to GET api/kernels')).kernelsOf(rt)).toEqual([]);
  await expect(failing(new RuntimeApiError('status', 500, 'The runtime answered 500')).kernelsOf(rt)).rejects.toThrow('500');
  await expect(failing(new RuntimeApiError('down', null, 'The runtime did not answer')).kernelsOf(rt)).rejects.toThrow('did not answer');
});

it('shuts a kernel down, and a kernel already gone is fine', async () => {
  const asked: string[] = [];
  const k = runtimeKernels({ kernels: async () => [], act: async (_rt, id, action) => (asked.push(`${action} ${id}`), id === 'gone' ? 'no-such-kernel' : 'done') });
  await k.shutdownKernel(rt, 'k1');
  await k.shutdownKernel(rt, 'gone');
  expect(asked).toEqual(['shutdown k1', 'shutdown gone']);
});
