'use server';
/**
 * Server actions are public endpoints: each one goes through the checked path in
 * lib/sensitive-actions/checked-action.ts. Ending sessions also needs a recent password entry.
 */
import { revalidatePath } from 'next/cache';
import { confirmPasswordDefinition } from '@/lib/sensitive-actions/confirm-password-action';
import { signOutSessionsDefinition } from '@/lib/sensitive-actions/sign-out-sessions-action';
import { sensitiveAction } from '@/lib/sensitive-actions/checked-action';

export const signOutSessionsAction = sensitiveAction(signOutSessionsDefinition, {
  onSuccess: () => revalidatePath('/sessions'),
});

/** Confirming moves this browser to a new session (a new id for "This device"): the list is re-read. */
export const confirmPasswordAction = sensitiveAction(confirmPasswordDefinition, {
  onSuccess: () => revalidatePath('/sessions'),
});
