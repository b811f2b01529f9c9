/**
 * Long identifiers (a session id, an email address) break only after a hyphen, at an `@` or after a
 * dot, never in the middle of a group: `<wbr>` marks those places without changing the copied text.
 */
export function Breakable({ text }: { text: string }) {
  const parts = text.split(/(?<=[-.])|(?=@)/);
  return (
    <>
      {parts.map((part, index) => (
        <span key={index}>
          {index > 0 ? <wbr /> : null}
          {part}
        </span>
      ))}
    </>
  );
}
