import type { Metadata } from 'next';
import Link from 'next/link';
import { safeNextPath } from '@/lib/request/redirects';
import { KEY_MISSING, SIGNUP_DONE } from '@/lib/forms/messages';
import { DemoMoneyNote } from '../components/demo-money-note';
import { Alert, FormMessage } from '../components/field';
import { LoginForm } from './login-form';
import { SignedOutNotice } from './signed-out-notice';

export const metadata: Metadata = { title: 'Sign in' };

type Props = { searchParams: Promise<{ next?: string; signedOut?: string; signedUp?: string; reason?: string }> };

export default async function LoginPage({ searchParams }: Props) {
  const params = await searchParams;
  const next = safeNextPath(typeof params.next === 'string' ? params.next : null);
  const notice = params.signedUp ? (
    <FormMessage kind="success">
      <p>{SIGNUP_DONE}</p>
      <DemoMoneyNote signedIn={false} />
    </FormMessage>
  ) : undefined;
  return (
    <div className="narrow">
      <h1>Sign in</h1>
      <SignedOutNotice />
      {params.signedOut ? <FormMessage kind="success">You have signed out.</FormMessage> : null}
      {/* A key-bound session this browser can no longer renew. A query flag, not the reason cookie: the
          server ended nothing, and a link that shows it only tells someone to sign in. */}
      {params.reason === 'key_missing' ? <Alert kind="info">{KEY_MISSING}</Alert> : null}
      <LoginForm next={next} notice={notice} />
      <p>
        New here? <Link href="/signup">Create an account</Link>
      </p>
    </div>
  );
}
