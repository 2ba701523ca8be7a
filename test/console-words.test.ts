import { describe, expect, it } from 'vitest';
import { optionFields } from '../web/src/options.js';
import { firstChoice, profileChoices } from '../web/src/profiles.js';
import type { Profile } from '../web/src/types.js';

/** Issue 17, item 6: profiles by what they run, once each; a server's options as label and value. */
describe('profile choices', () => {
  const lab: Profile = { name: 'default', display_name: 'JupyterLab 4.6.6', default: true };
  const big: Profile = { name: 'big', display_name: 'Big machine', default: false };
  const broken: Profile = { name: 'broken', display_name: '', default: false, error: 'no such command' };

  it('lists each profile once, the default as the empty choice named after what it runs', () => {
    const c = profileChoices([lab, big, broken]);
    expect(c.map((x) => [x.value, x.label, x.disabled])).toEqual([
      ['', 'JupyterLab 4.6.6 (default)', false],
      ['big', 'Big machine', false],
      ['broken', 'broken (unavailable)', true],
    ]);
    expect(firstChoice(c)).toBe('');
  });

  it('does not add "Hub default" beside a default profile that cannot start, and starts on one that can', () => {
    const c = profileChoices([{ ...lab, error: 'jupyter not found' }, big]);
    expect(c.map((x) => x.label)).toEqual(['JupyterLab 4.6.6 (default) (unavailable)', 'Big machine']);
    expect(new Set(c.map((x) => x.value)).size).toBe(c.length);
    expect(firstChoice(c)).toBe('big');
  });

  it('offers "Hub default" only when no listed profile is the default', () => {
    expect(profileChoices([{ ...lab, default: false }, big]).map((x) => x.label)).toEqual(['Hub default', 'JupyterLab 4.6.6', 'Big machine']);
  });
});

describe('option fields', () => {
  it('names each option in words and shows its value readably, the profile by what it runs', () => {
    const names: Record<string, string> = { big: 'Big machine' };
    expect(optionFields({ profile: 'big', spark_cluster: 'etl', cpu_limit: 2, gpu: true, tags: ['a', 'b'], extra: { x: 1 }, note: '' }, (n) => names[n] ?? n)).toEqual([
      { key: 'profile', label: 'Profile', value: 'Big machine' },
      { key: 'spark_cluster', label: 'Spark cluster', value: 'etl' },
      { key: 'cpu_limit', label: 'Cpu limit', value: '2' },
      { key: 'gpu', label: 'Gpu', value: 'yes' },
      { key: 'tags', label: 'Tags', value: 'a, b' },
      { key: 'extra', label: 'Extra', value: '{"x":1}' },
      { key: 'note', label: 'Note', value: '—' },
    ]);
    expect(optionFields({}, (n) => n)).toEqual([]);
  });
});
