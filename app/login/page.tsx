import type { Metadata } from 'next';
import Link from 'next/link';
import { safeNextPath } from '@/lib/proxy-safe/redirects';
import { FormMessage } from '../components/field';
import { LoginForm } from './login-form';
import { SignedOutNotice } from './signed-out-notice';

export const metadata: Metadata = { title: 'Sign in' };

type Props = { searchParams: Promise<{ next?: string; signedOut?: string; signedUp?: string }> };

export default async function LoginPage({ searchParams }: Props) {
  const params = await searchParams;
  const next = safeNextPath(typeof params.next === 'string' ? params.next : null);
  return (
    <div className="narrow">
      <h1>Sign in</h1>
      <SignedOutNotice />
      {params.signedOut ? <FormMessage kind="success">You have signed out.</FormMessage> : null}
      {params.signedUp ? (
        <FormMessage kind="success">Your account is ready. Sign in with your email and password.</FormMessage>
      ) : null}
      <div className="card">
        <LoginForm next={next} />
      </div>
      <p>
        New here? <Link href="/signup">Create an account</Link>
      </p>
    </div>
  );
}
