'use client';
/**
 * After a client-side navigation, focus moves to the new page's main heading (its <h1>), so keyboard
 * and screen-reader users start at the top of the new content instead of on a link that may be gone
 * (focus then falls to <body>) or still in the header. The heading is read out as it takes focus;
 * Next.js's route announcer also reads the page title. Not on the first load (the browser starts at
 * the top already), not when only the query changes (pagination keeps its place), and not when the
 * new page has already put focus inside its content (a form field it wants typed into).
 */
import { usePathname } from 'next/navigation';
import { useEffect, useRef } from 'react';

export function RouteFocus() {
  const pathname = usePathname();
  const previous = useRef(pathname);
  useEffect(() => {
    if (previous.current === pathname) return;
    previous.current = pathname;
    const main = document.getElementById('main');
    const active = document.activeElement;
    if (!main || (active && active !== main && main.contains(active))) return;
    const heading = main.querySelector<HTMLElement>('h1');
    if (!heading) return;
    if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
    heading.focus();
  }, [pathname]);
  return null;
}
