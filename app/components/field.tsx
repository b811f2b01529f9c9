/** Marks a message that takes focus when it is the only error shown (lib/client/focus-after-result.ts). */
const FOCUS_ON_ERROR = { 'data-focus-on-error': true, tabIndex: -1 } as const;

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
  /** Shown but not editable: a value waiting for confirmation must stay what was confirmed. */
  readOnly?: boolean;
  /** Ids of other text that describes this input (read after its label). */
  describedBy?: string;
};

export function Field({ label, name, type = 'text', autoComplete, errors, inputMode, defaultValue, hint, readOnly, describedBy }: FieldProps) {
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
        readOnly={readOnly}
        required
        aria-invalid={hasError || undefined}
        aria-describedby={[describedBy, hintId, errorId].filter(Boolean).join(' ')}
      />
      <div id={errorId} className="field-error" aria-live="polite">
        {errors?.map((message) => <p key={message}>{message}</p>)}
      </div>
    </div>
  );
}

export type AlertKind = 'info' | 'success' | 'warning' | 'error';

/**
 * A banner. Errors are `role="alert"` (announced at once) and take focus when they are the only error
 * shown (lib/client/focus-after-result.ts); the other kinds are plain content: put them inside a live
 * region (`LiveRegion`) when they appear as the result of something the person did.
 */
export function Alert({ kind, children }: { kind: AlertKind; children: React.ReactNode }) {
  const body = <div className="alert-body">{children}</div>;
  if (kind === 'error') {
    return (
      <div role="alert" className="alert alert-error" {...FOCUS_ON_ERROR}>
        {body}
      </div>
    );
  }
  return <div className={`alert alert-${kind}`}>{body}</div>;
}

/**
 * A polite live region that is always in the page, so screen readers are already watching it when a
 * result is put inside (a region inserted together with its text is often not announced).
 */
export function LiveRegion({ children, visuallyHidden = false }: { children: React.ReactNode; visuallyHidden?: boolean }) {
  return (
    <div role="status" className={visuallyHidden ? 'visually-hidden' : 'live-region'}>
      {children}
    </div>
  );
}

/** Form-level messages: errors as an alert, successes as a status. */
export function FormMessage({ kind, children }: { kind: 'error' | 'success'; children: React.ReactNode }) {
  if (kind === 'error') return <Alert kind="error">{children}</Alert>;
  return (
    <div role="status" className="alert alert-success">
      <div className="alert-body">{children}</div>
    </div>
  );
}
