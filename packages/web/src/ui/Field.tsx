/** A labelled control with its hint and its error, wired for screen readers (aria-describedby, aria-invalid). */
import { useId, type ReactNode } from 'react';

export interface ControlProps {
  id: string;
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
  'aria-required': boolean | undefined;
}

export function Field({
  label,
  error,
  hint,
  required,
  children,
  className,
}: {
  label: ReactNode;
  error?: string;
  hint?: ReactNode;
  required?: boolean;
  children: (props: ControlProps) => ReactNode;
  className?: string;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''} ${className ?? ''}`}>
      <label className={`field-label${required ? ' field-label-required' : ''}`} htmlFor={id}>
        {label}
      </label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy, 'aria-required': required || undefined })}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
      {hint && !error && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** A form-level error (what belongs to no single field), announced when it appears. */
export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div className="form-error" role="alert">
      {message}
    </div>
  );
}

/** Moves focus to the first invalid control of a form: after a failed submit, focus follows the problem. */
export function focusFirstError(form: HTMLElement | null): void {
  requestAnimationFrame(() => {
    const target = form?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form?.querySelector<HTMLElement>('.form-error');
    if (target) {
      if (!target.hasAttribute('tabindex') && target.classList.contains('form-error')) target.setAttribute('tabindex', '-1');
      target.focus();
    }
  });
}

/**
 * "Repeat the new password": the second entry of a new password (account page, reset link). The
 * form compares the two on submit and passes `error` while they differ; typing clears it.
 */
export function RepeatPasswordField({ value, error, required, onChange }: { value: string; error?: string; required?: boolean; onChange: (value: string) => void }) {
  return (
    <Field label="Repeat the new password" error={error} required={required}>
      {(p) => <input {...p} className="input" type="password" autoComplete="new-password" value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}
