import { describe, expect, it } from 'vitest';
import { firstAdminHint } from './first-admin.js';

describe('firstAdminHint', () => {
  const facts = { command: 'nbhub', url: 'http://127.0.0.1:8000' };
  it('tells how to create the first admin while there is none, with the data dir the hub runs on', () => {
    const hint = firstAdminHint({ ...facts, admins: 0, dataDir: '/srv/nbhub' });
    expect(hint).toContain('nbhub has no admin yet');
    expect(hint).toContain('nbhub user add admin --admin --password-stdin --data-dir /srv/nbhub');
    expect(hint).toContain('http://127.0.0.1:8000/hub/');
    expect(firstAdminHint({ ...facts, admins: 0 })).toContain('--password-stdin\n');
  });
  it('says nothing once an admin exists', () => {
    expect(firstAdminHint({ ...facts, admins: 1 })).toBeNull();
  });
});
