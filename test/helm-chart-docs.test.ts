import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHART_DIR, chartReadme, valueDocs } from '../scripts/chart-docs.js';

describe('the Helm chart README', () => {
  it('is generated from values.yaml (node --import tsx scripts/chart-docs.ts)', () => {
    const expected = chartReadme(readFileSync(`${CHART_DIR}values.yaml`, 'utf8'), readFileSync(`${CHART_DIR}Chart.yaml`, 'utf8'));
    expect(readFileSync(`${CHART_DIR}README.md`, 'utf8')).toBe(expected);
  });

  it('documents a value by the comment paragraph above it, and a section by its keys', () => {
    const docs = valueDocs('# header\n\n# The port.\nport: 80\nhub:\n  # How many.\n  replicas: 2\n  # Resources.\n  resources: {requests: {cpu: 1}}\n');
    expect(docs).toEqual([
      { key: 'port', default: '80', description: 'The port.' },
      { key: 'hub.replicas', default: '2', description: 'How many.' },
      { key: 'hub.resources', default: '{"requests":{"cpu":1}}', description: 'Resources.' },
    ]);
  });

  it('refuses a value without a comment, naming it', () => {
    expect(() => valueDocs('# The port.\nport: 80\nhub:\n  # How many.\n  replicas: 2\n  extra: true\nbare: 1\n')).toThrow('no comment above hub.extra, bare');
  });
});
