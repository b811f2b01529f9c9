'use server';
/**
 * Server actions are public endpoints: each one goes through the checked path in
 * lib/sensitive-actions/checked-action.ts, whatever the proxy did. Payments also need a recent password entry.
 */
import { revalidatePath } from 'next/cache';
import { confirmPasswordDefinition } from '@/lib/sensitive-actions/confirm-password-action';
import { sendPaymentDefinition } from '@/lib/sensitive-actions/send-payment-action';
import { sensitiveAction } from '@/lib/sensitive-actions/checked-action';

export const sendPaymentAction = sensitiveAction(sendPaymentDefinition, {
  onSuccess: () => revalidatePath('/payments'),
});

export const confirmPasswordAction = sensitiveAction(confirmPasswordDefinition);
