'use client';
/**
 * Where focus goes after a form's answer comes back. A submit button is disabled while its request
 * runs, and a disabled element loses focus to <body>, so without this a keyboard or screen-reader user
 * is left at the top of the page after every error (WCAG 2.4.3 Focus Order,
 * 3.3.1 Error Identification). The first field in error takes focus, and its message is read with it
 * (aria-describedby); an error that belongs to no field (marked `data-focus-on-error`, with
 * tabIndex -1: app/components/field.tsx `Alert`) takes focus itself.
 */
import { useEffect, type RefObject } from 'react';

export function focusFirstError(scope: HTMLElement | null): boolean {
  const target =
    scope?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? scope?.querySelector<HTMLElement>('[data-focus-on-error]');
  target?.focus();
  return Boolean(target);
}

/** Focuses the first error inside `scope` each time `failure` becomes a new non-null value. */
export function useFocusOnFailure(scope: RefObject<HTMLElement | null>, failure: unknown): void {
  useEffect(() => {
    if (failure) focusFirstError(scope.current);
  }, [scope, failure]);
}
