import { describe, expect, it } from 'vitest';
import type { AppIntent, AppState } from '../core/apps.js';
import { demand } from './demand.js';

describe('demand', () => {
  const all = (state: AppState, stoppedOnPurpose: boolean) =>
    (['visit', 'background'] as AppIntent[]).map((intent) => demand({ intent, state, stoppedOnPurpose }));

  it('refuses background traffic to an app stopped on purpose; a visit starts it', () => {
    expect(all('stopped', true)).toEqual(['start', 'refuse']);
    // Stopped while its start failed: the stop is what its user asked for last.
    expect(all('failed', true)).toEqual(['start', 'refuse']);
  });

  it('starts an app that was never started, died by itself or failed, on any request', () => {
    expect(all('stopped', false)).toEqual(['start', 'start']);
    expect(all('failed', false)).toEqual(['start', 'start']);
  });

  it('uses a running app and joins a start under way, whoever asks', () => {
    for (const stopped of [false, true]) {
      expect(all('running', stopped)).toEqual(['use', 'use']);
      expect(all('starting', stopped)).toEqual(['join', 'join']);
    }
  });
});
