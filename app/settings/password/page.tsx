import type { Metadata } from 'next';
import { verifySessionOrRedirect } from '@/lib/dal';
import { PasswordChangeForm } from './password-change-form';

export const metadata: Metadata = { title: 'Change password' };

export default async function PasswordPage() {
  const session = await verifySessionOrRedirect('/settings/password');
  return (
    <div className="narrow">
      <h1>Change password</h1>
      <p className="lede">
        Signed in as {session.email}. Changing your password signs out every other session of your account.
      </p>
      <div className="card">
        <PasswordChangeForm />
      </div>
    </div>
  );
}
