import { describe, expect, it } from 'vitest';
import { stoppedPage } from './stopped-page.js';

describe('stoppedPage (issue 16, class 9: escaping)', () => {
  it('escapes a hostile name and path in the markup and in the inline script', () => {
    const page = stoppedPage('eve', '</script><img src=x onerror=alert(1)>', 'stopped', '/user/eve/x\u2028y</script><script>alert(2)</script>');
    expect(page).not.toMatch(/<img/);
    expect(page.match(/<\/script>/g)).toHaveLength(1);
    expect(page).not.toMatch(/\u2028/);
    expect(page).not.toMatch(/<script>alert/);
  });
});
