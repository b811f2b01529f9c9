'use server';
/**
 * Server actions are public endpoints: each one goes through the checked path in
 * lib/sensitive-actions/checked-action.ts, whatever the proxy did.
 */
import { sensitiveAction } from '@/lib/sensitive-actions/checked-action';
import {
  finishRefreshCopyDefinition,
  keepTokenCopyDefinition,
  startRefreshCopyDefinition,
  tryTokenCopyDefinition,
} from '@/lib/lab/lab-actions';

export const keepTokenCopyAction = sensitiveAction(keepTokenCopyDefinition);
export const tryTokenCopyAction = sensitiveAction(tryTokenCopyDefinition);
export const startRefreshCopyAction = sensitiveAction(startRefreshCopyDefinition);
export const finishRefreshCopyAction = sensitiveAction(finishRefreshCopyDefinition);
