// The bare app's dynamic page: rendered per request (`connection()`), a heading and a timestamp.
import { connection } from 'next/server';

export default async function DynamicPage() {
  await connection();
  return (
    <main>
      <h1>Bare Next.js page</h1>
      <p>Rendered at {new Date().toISOString()}</p>
    </main>
  );
}
