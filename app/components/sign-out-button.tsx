/**
 * A plain form post: works without JavaScript, and the browser sends `Origin`, which the logout
 * handler requires (CSRF, ASVS 3.5.3). The handler answers a navigation with a redirect to /login.
 */
export function SignOutButton() {
  return (
    <form method="post" action="/api/auth/logout">
      <button type="submit" className="secondary button-small">
        Sign out
      </button>
    </form>
  );
}
