// The bare app's root layout: the least a page of the App Router needs (docs/benchmarks.md).
export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
