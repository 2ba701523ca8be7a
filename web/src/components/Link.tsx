import type { ComponentChildren } from 'preact';
import { navigate } from '../router.js';

/** A link between console pages: changes the page in place, unless opened in a new tab or window. */
export const Link = (p: { href: string; children: ComponentChildren; testid?: string; class?: string }) => (
  <a
    href={p.href}
    class={p.class}
    data-testid={p.testid}
    onClick={(e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(p.href);
    }}
  >
    {p.children}
  </a>
);
