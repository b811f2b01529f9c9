'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useId, useRef, useState } from 'react';
import { useIsClient } from '@/lib/client/use-now';
import { SignOutButton } from './sign-out-button';

/** Lists longer than this fold behind the Menu button on narrow screens. */
const COLLAPSE_ABOVE = 3;

export type NavItem = { href: string; label: string; matches?: string };

/** True when `pathname` is `prefix` or a page below it. */
function isCurrent(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/**
 * The header's links. The current page is marked with `aria-current="page"` (read from the pathname,
 * which only the browser's router knows on a soft navigation). Below 48rem the links fold behind a
 * Menu button (a disclosure: `aria-expanded`, Escape closes it and returns focus). The folded state is
 * in the server's HTML and the CSS decides by screen width, so nothing moves when the page hydrates.
 * Without script (`scripting: none`) the button is hidden and the links simply wrap.
 */
export function SiteNav({ items, signedIn }: { items: NavItem[]; signedIn: boolean }) {
  const pathname = usePathname();
  const isClient = useIsClient();
  const [open, setOpen] = useState(false);
  const listId = useId();
  const toggle = useRef<HTMLButtonElement>(null);

  // A link followed closes the menu.
  useEffect(() => setOpen(false), [pathname]);

  function onKeyDown(event: React.KeyboardEvent) {
    if (event.key === 'Escape' && open) {
      setOpen(false);
      toggle.current?.focus();
    }
  }

  return (
    <nav
      aria-label="Main"
      className="site-nav"
      data-collapsible={items.length > COLLAPSE_ABOVE ? 'true' : undefined}
      data-hydrated={isClient || undefined}
      data-open={String(open)}
      onKeyDown={onKeyDown}
    >
      {items.length > COLLAPSE_ABOVE ? (
      <button
        ref={toggle}
        type="button"
        className="nav-toggle secondary button-small"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen((was) => !was)}
      >
        <span aria-hidden="true">{open ? '✕' : '☰'}</span> Menu
      </button>
      ) : null}
      <ul id={listId}>
        {items.map((item) => (
          <li key={item.href}>
            {/*
              No prefetch: the header is on every page, so prefetching its links would fetch every
              section on every page view, and once the access token has expired each prefetch would
              renew the session through the GET hop for pages nobody opened. Following a link is still
              a client-side navigation.
            */}
            <Link href={item.href} prefetch={false} aria-current={isCurrent(pathname, item.matches ?? item.href) ? 'page' : undefined}>
              {item.label}
            </Link>
          </li>
        ))}
        {signedIn ? (
          <li className="nav-action">
            <SignOutButton />
          </li>
        ) : null}
      </ul>
    </nav>
  );
}
