'use server';
/**
 * Server actions are public endpoints: each one goes through the checked path in
 * lib/sensitive-action.ts, whatever the proxy did. Payments also need a recent password entry.
 */
import { revalidatePath } from 'next/cache';
import { confirmPasswordDefinition } from '@/lib/actions/confirm-password';
import { sendPaymentDefinition } from '@/lib/actions/send-payment';
import { sensitiveAction } from '@/lib/sensitive-action';

export const sendPaymentAction = sensitiveAction(sendPaymentDefinition, {
  onSuccess: () => revalidatePath('/payments'),
});

export const confirmPasswordAction = sensitiveAction(confirmPasswordDefinition);
