import { describe, expect, it } from 'vitest';
import { LABELS } from '../../kube/labels.js';
import { labelValue, namesOf, objectName, runtimeKey, runtimeLabels } from './names.js';

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

describe('kubernetes names', () => {
  it('gives alice-x\'s default server and alice\'s server x different objects (CVE-2020-15110)', () => {
    expect(objectName('alice-x', '')).not.toBe(objectName('alice', 'x'));
    expect(runtimeKey('alice-x', '')).not.toBe(runtimeKey('alice', 'x'));
    expect(objectName('a.b', 's')).not.toBe(objectName('a-b', 's'));
    expect(objectName('Alice', '')).not.toBe(objectName('alice', ''));
  });

  it('maps unicode, upper case, dots and long names to valid DNS-1123 labels of at most 63', () => {
    for (const [u, s] of [
      ['alice', ''],
      ['Zoë.Müller@example.org', 'lab'],
      ['田中', '実験'],
      ['x'.repeat(200), 'y'.repeat(200)],
      ['-a-', '_b_'],
      ['..', ''],
    ] as const) {
      const n = namesOf(u, s);
      for (const name of [n.pod, n.claim, n.secret]) {
        expect(name).toMatch(DNS1123);
        expect(name.length).toBeLessThanOrEqual(63);
      }
    }
    expect(objectName('Zoë.Müller', 'lab')).toMatch(/^nbhub-zoe-muller-lab-[0-9a-f]{8}$/);
    expect(objectName('田中', '')).toMatch(/^nbhub-[0-9a-f]{8}$/);
  });

  it('labels with valid values, the exact key in the runtime label', () => {
    const labels = runtimeLabels('Zoë@x', 'a b', 'hub-1', 'runtime');
    for (const v of Object.values(labels)) {
      expect(v).toMatch(LABEL_VALUE);
      expect(v.length).toBeLessThanOrEqual(63);
    }
    expect(labels[LABELS.runtime]).toBe(runtimeKey('Zoë@x', 'a b').slice(0, 63));
    expect(labelValue('')).toBe('');
    expect(labelValue('-x'.repeat(50))).toMatch(LABEL_VALUE);
  });
});
