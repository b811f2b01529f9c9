import type { Metadata } from 'next';
import Link from 'next/link';
import { randomUUID } from 'node:crypto';
import { verifySessionOrRedirect } from '@/lib/dal';
import { formatCents, PAYMENT_MAX_CENTS } from '@/lib/payments/money';
import { getLedger } from '@/lib/payments/ledger';
import { DemoMoneyNote } from '../components/demo-money-note';
import { Alert } from '../components/field';
import { LocalTime } from '../components/local-time';
import { PaymentForm } from './payment-form';

export const metadata: Metadata = { title: 'Payments' };

type Props = { searchParams: Promise<{ page?: string }> };

function pageHref(page: number): string {
  return page <= 1 ? '/payments#history-heading' : `/payments?page=${page}#history-heading`;
}

/**
 * Reading the balance is a read-only view (stateless tier, like the dashboard). Sending money is not:
 * the form's action re-checks the session row and asks for a recent password entry.
 */
export default async function PaymentsPage({ searchParams }: Props) {
  const session = await verifySessionOrRedirect('/payments');
  const requested = Number((await searchParams).page ?? '1');
  const ledger = await getLedger(session.userId, Number.isFinite(requested) ? requested : 1);
  return (
    <>
      <h1>Payments</h1>
      <p className="lede">Signed in as {session.email}.</p>
      <div className="card">
        <div className="card-header">
          <h2 id="balance-heading">Balance</h2>
          <span className="balance" data-testid="balance">
            {formatCents(ledger.balanceCents)}
          </span>
        </div>
        <p className="muted small">
          Payments up to {formatCents(PAYMENT_MAX_CENTS)} each. Sending money checks your session on the server and asks
          you to confirm your password if you have not typed it in the last few minutes, or every time in a session
          that is not bound to this browser.
        </p>
        {ledger.balanceCents === 0 && ledger.total === 0 ? (
          <Alert kind="info">
            <DemoMoneyNote />
          </Alert>
        ) : null}
      </div>
      <section className="card" aria-labelledby="send-heading">
        <h2 id="send-heading">Send a payment</h2>
        {/* A new idempotency key per render: a double submit of this form pays once. */}
        <PaymentForm idempotencyKey={randomUUID()} />
      </section>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        {ledger.total === 0 ? (
          <p className="muted">No payments yet.</p>
        ) : (
          <>
            <div className="table-wrap">
              <table className="reflow">
                <caption className="visually-hidden">
                  Payments sent and received, newest first, page {ledger.page} of {ledger.pageCount}
                </caption>
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
                  {ledger.entries.map((entry) => (
                    <tr key={entry.id}>
                      <td data-label="When">
                        <LocalTime dateTime={entry.createdAt.toISOString()} />
                      </td>
                      <td data-label="Direction">{entry.direction === 'sent' ? 'Sent to' : 'Received from'}</td>
                      <td data-label="Who" className="wrap-anywhere">
                        {entry.counterparty}
                      </td>
                      <td data-label="Amount" className={entry.direction === 'sent' ? 'amount' : 'amount amount-in'}>
                        {entry.direction === 'sent' ? '-' : '+'}
                        {formatCents(entry.amountCents)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {ledger.pageCount > 1 ? (
              <nav className="pagination" aria-label="Payment history pages">
                {ledger.page > 1 ? (
                  <Link className="button button-secondary button-small" href={pageHref(ledger.page - 1)} rel="prev">
                    ← Newer
                  </Link>
                ) : (
                  <span aria-disabled="true" />
                )}
                <p className="muted small">
                  Page {ledger.page} of {ledger.pageCount} · {ledger.total} payments
                </p>
                {ledger.page < ledger.pageCount ? (
                  <Link className="button button-secondary button-small" href={pageHref(ledger.page + 1)} rel="next">
                    Older →
                  </Link>
                ) : (
                  <span aria-disabled="true" />
                )}
              </nav>
            ) : null}
          </>
        )}
      </section>
    </>
  );
}
