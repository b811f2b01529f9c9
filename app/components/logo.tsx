/** The app's mark: a key inside a shield. The same drawing is public/icon.svg (the favicon). */
export function Logo() {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <path d="M16 2.5 4.5 6.8v8.4c0 7 4.9 12.6 11.5 14.3 6.6-1.7 11.5-7.3 11.5-14.3V6.8L16 2.5Z" fill="#1d4ed8" />
      <circle cx="16" cy="13" r="4.2" fill="none" stroke="#ffffff" strokeWidth="2.4" />
      <path d="M16 17.2v7.3M16 21h3M16 24h2.2" fill="none" stroke="#ffffff" strokeWidth="2.4" strokeLinecap="round" />
    </svg>
  );
}
