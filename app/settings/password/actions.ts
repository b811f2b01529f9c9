'use server';
/**
 * Server actions are public endpoints: each one goes through the checked path in
 * lib/sensitive-action.ts, whatever the proxy did.
 */
import { changePasswordDefinition } from '@/lib/actions/change-password';
import { sensitiveAction } from '@/lib/sensitive-action';

export const changePasswordAction = sensitiveAction(changePasswordDefinition);
