import Link from 'next/link';

/**
 * New accounts start with nothing: only the seeded demo users hold money. Said wherever a new account
 * first meets payments, with the way to get some: otherwise a new
 * account meets a $0.00 balance with no word why.
 */
export function DemoMoneyNote({ signedIn = true }: { signedIn?: boolean }) {
  return (
    <p>
      New accounts start at $0.00: only the demo users <code>alice@example.com</code> and <code>bob@example.com</code>{' '}
      (password <code>correct horse battery staple</code>) start with money. To try payments, sign in as one of them
      in another browser or a private window and send a few dollars to your email address
      {signedIn ? (
        <>
          {' '}
          from their <Link href="/payments">Payments</Link> page
        </>
      ) : null}
      .
    </p>
  );
}
