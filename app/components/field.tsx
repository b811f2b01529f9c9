/**
 * A labelled input with its error message linked by `aria-describedby` and announced through an
 * `aria-live` region. The label text is part of the contract: tests find inputs by it, as people do.
 */
type FieldProps = {
  label: string;
  name: string;
  type?: 'text' | 'email' | 'password';
  autoComplete?: string;
  errors?: string[];
  inputMode?: 'decimal' | 'email' | 'text';
  defaultValue?: string;
  hint?: string;
};

export function Field({ label, name, type = 'text', autoComplete, errors, inputMode, defaultValue, hint }: FieldProps) {
  const errorId = `${name}-error`;
  const hintId = hint ? `${name}-hint` : undefined;
  const hasError = Boolean(errors?.length);
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <input
        id={name}
        name={name}
        type={type}
        autoComplete={autoComplete}
        inputMode={inputMode}
        defaultValue={defaultValue}
        required
        aria-invalid={hasError || undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(' ')}
      />
      <div id={errorId} className="field-error" aria-live="polite">
        {errors?.map((message) => <p key={message}>{message}</p>)}
      </div>
    </div>
  );
}

/** Form-level messages: errors as `role="alert"`, successes as a polite status. */
export function FormMessage({ kind, children }: { kind: 'error' | 'success'; children: React.ReactNode }) {
  return kind === 'error' ? (
    <div role="alert" className="message message-error">
      {children}
    </div>
  ) : (
    <div role="status" className="message message-success">
      {children}
    </div>
  );
}
