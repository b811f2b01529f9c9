import type { Metadata } from 'next';
import Link from 'next/link';
import { SignupForm } from './signup-form';

export const metadata: Metadata = { title: 'Create an account' };

export default function SignupPage() {
  return (
    <div className="narrow">
      <h1>Create an account</h1>
      <p className="lede">An email address and a password. New accounts start with no money; the demo users have some to send.</p>
      <div className="card">
        <SignupForm />
      </div>
      <p>
        Already have an account? <Link href="/login">Sign in</Link>
      </p>
    </div>
  );
}
