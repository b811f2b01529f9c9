import type { Metadata } from 'next';
import { randomUUID } from 'node:crypto';
import { requireSession } from '@/lib/dal';
import { formatCents, PAYMENT_MAX_CENTS } from '@/lib/payments/money';
import { getLedger } from '@/lib/payments/ledger';
import { PaymentForm } from './payment-form';

export const metadata: Metadata = { title: 'Payments' };

/**
 * Reading the balance is a read-only view (stateless tier, like the dashboard). Sending money is not:
 * the form's action re-checks the session row and asks for a recent password entry.
 */
export default async function PaymentsPage() {
  const session = await requireSession('/payments');
  const { balanceCents, entries } = await getLedger(session.userId);
  return (
    <>
      <h1>Payments</h1>
      <p className="lede">Signed in as {session.email}.</p>
      <div className="card">
        <p>
          Balance: <span className="balance" data-testid="balance">{formatCents(balanceCents)}</span>
        </p>
        <p className="muted">
          Payments up to {formatCents(PAYMENT_MAX_CENTS)} each. Sending money checks your session on the server and asks
          you to confirm your password if you have not typed it in the last few minutes.
        </p>
      </div>
      <section className="card" aria-labelledby="send-heading">
        <h2 id="send-heading">Send a payment</h2>
        {/* A new idempotency key per render: a double submit of this form pays once. */}
        <PaymentForm idempotencyKey={randomUUID()} />
      </section>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        {entries.length === 0 ? (
          <p className="muted">No payments yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Direction</th>
                <th scope="col">Who</th>
                <th scope="col" className="amount">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={`${entry.direction}-${entry.id}`}>
                  <td>
                    <time dateTime={entry.createdAt.toISOString()}>
                      {entry.createdAt.toISOString().replace('T', ' ').slice(0, 16)}
                    </time>
                  </td>
                  <td>{entry.direction === 'sent' ? 'Sent to' : 'Received from'}</td>
                  <td>{entry.counterparty}</td>
                  <td className="amount">
                    {entry.direction === 'sent' ? '-' : '+'}
                    {formatCents(entry.amountCents)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
