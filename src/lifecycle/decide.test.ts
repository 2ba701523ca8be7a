import { describe, expect, it } from 'vitest';
import { newServerRecord, type ServerRecord } from '../core/models.js';
import { decide, SHUT_ITSELF_DOWN, type Observed } from './decide.js';

const rec = (desired: ServerRecord['desired'], state: ServerRecord['state']): ServerRecord => ({
  ...newServerRecord('u', '', 0),
  desired,
  state,
});
const none: Observed = { status: 'none' };
const running: Observed = { status: 'running' };
const died: Observed = { status: 'exited', exitCode: 3, signal: null, adopted: false };
const goneWhileDown: Observed = { status: 'exited', exitCode: null, signal: null, adopted: true };

describe('decide', () => {
  it('launches a requested runtime once, then waits for readiness once', () => {
    expect(decide(rec('running', 'pending'), none, false)).toEqual({ kind: 'launch' });
    expect(decide(rec('running', 'pending'), running, false)).toEqual({ kind: 'await-ready' });
    expect(decide(rec('running', 'pending'), running, true)).toEqual({ kind: 'none' });
  });
  it('marks a runtime that dies on its own as failed with its exit status', () => {
    expect(decide(rec('running', 'running'), died, false)).toEqual({ kind: 'mark-failed', exitCode: 3, signal: null });
    expect(decide(rec('running', 'pending'), died, true)).toEqual({ kind: 'mark-failed', exitCode: 3, signal: null });
    // The platform's reason rides along (a pod whose node was lost has no exit status).
    const lost = { status: 'exited' as const, exitCode: null, signal: null, adopted: false, reason: 'DeletionByPodGC: PodGC: node no longer exists' };
    expect(decide(rec('running', 'running'), lost, false)).toEqual({ kind: 'mark-failed', exitCode: null, signal: null, reason: 'DeletionByPodGC: PodGC: node no longer exists' });
  });
  it('marks a ready runtime that exits cleanly by itself as stopped (JupyterLab File > Shut Down), but a clean exit before readiness as failed', () => {
    const clean: Observed = { status: 'exited', exitCode: 0, signal: null, adopted: false };
    expect(decide(rec('running', 'running'), clean, false)).toEqual({ kind: 'mark-stopped', message: SHUT_ITSELF_DOWN });
    expect(decide(rec('running', 'pending'), clean, true)).toEqual({ kind: 'mark-failed', exitCode: 0, signal: null });
    expect(decide(rec('running', 'running'), { ...clean, signal: 'SIGKILL', exitCode: null }, false).kind).toBe('mark-failed');
  });
  it('adopts live runtimes after a restart and marks those gone meanwhile as stopped', () => {
    expect(decide(rec('running', 'running'), running, false)).toEqual({ kind: 'none' });
    expect(decide(rec('running', 'running'), goneWhileDown, false).kind).toBe('mark-stopped');
    expect(decide(rec('running', 'pending'), goneWhileDown, false).kind).toBe('mark-stopped');
  });
  it('stops what should be stopped, including a stop interrupted by a crash', () => {
    expect(decide(rec('stopped', 'running'), running, false)).toEqual({ kind: 'stop' });
    expect(decide(rec('stopped', 'stopping'), running, false)).toEqual({ kind: 'stop' });
    expect(decide(rec('stopped', 'stopping'), goneWhileDown, false)).toEqual({ kind: 'mark-stopped', message: null });
    expect(decide(rec('stopped', 'pending'), none, false)).toEqual({ kind: 'mark-stopped', message: null });
  });
  it('leaves settled servers alone but never leaves an orphan running', () => {
    expect(decide(rec('stopped', 'stopped'), none, false)).toEqual({ kind: 'none' });
    expect(decide(rec('stopped', 'failed'), goneWhileDown, false)).toEqual({ kind: 'none' });
    expect(decide(rec('stopped', 'failed'), running, false)).toEqual({ kind: 'stop' });
  });
});
