'use server';
/**
 * Server actions are public endpoints: each one goes through the checked path in
 * lib/sensitive-actions/checked-action.ts, whatever the proxy did.
 */
import { changePasswordDefinition } from '@/lib/sensitive-actions/change-password-action';
import { sensitiveAction } from '@/lib/sensitive-actions/checked-action';

export const changePasswordAction = sensitiveAction(changePasswordDefinition);
