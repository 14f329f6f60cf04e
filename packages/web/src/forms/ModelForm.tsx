/**
 * The controls of a manifest-derived form. Every field is labelled, shows the server's message at
 * the field, and keeps what was typed; rarely used fields wait under "More fields".
 */
import { DEFAULT_COLUMNS, type Column } from '@prodboard/shared';
import { useId, useRef } from 'react';
import { accentColor } from '../ui/accents.js';
import { Field, type ControlProps } from '../ui/Field.js';
import { Icon } from '../ui/icons.js';
import type { FormField, FormValues } from './fields.js';
import { MemberPicker, type PickableMember } from './MemberPicker.js';

/** What some controls need from the page: a board's columns, the objects a reference may name, known values. */
export interface FormContext {
  columns?: readonly Column[];
  refOptions?: Record<string, Array<{ value: string; label: string }>>;
  suggestions?: Record<string, readonly string[]>;
  /** Whom a `members` field may name, and who is signed in. */
  members?: readonly PickableMember[];
  meId?: string;
}

interface Props {
  fields: FormField[];
  values: FormValues;
  errors: Record<string, string>;
  onChange: (name: string, value: string) => void;
  context?: FormContext;
  /** Focus this field when the form appears. */
  autoFocus?: string;
}

const HINTS: Partial<Record<FormField['widget'], string>> = {
  tags: 'Separate tags with commas.',
  json: 'A JSON object, e.g. {"theme": "compact"}.',
  columns: `Comma-separated names. Leave empty for ${DEFAULT_COLUMNS.map((c) => c.name).join(', ')}.`,
  number: 'A number; leave empty to let the server choose.',
};

export function ModelForm({ fields, values, errors, onChange, context = {}, autoFocus }: Props) {
  const main = fields.filter((f) => !f.advanced);
  const advanced = fields.filter((f) => f.advanced);
  const render = (field: FormField) => (
    <FieldControl key={field.name} field={field} value={values[field.name] ?? ''} error={errors[field.name]} onChange={onChange} context={context} autoFocus={autoFocus === field.name} />
  );
  return (
    <>
      <div className="form-grid">{main.map(render)}</div>
      {advanced.length > 0 && (
        <details className="form-more" open={advanced.some((f) => errors[f.name]) || undefined}>
          <summary>More fields</summary>
          <div className="form-grid">{advanced.map(render)}</div>
        </details>
      )}
    </>
  );
}

function FieldControl({
  field,
  value,
  error,
  onChange,
  context,
  autoFocus,
}: {
  field: FormField;
  value: string;
  error?: string;
  onChange: (name: string, value: string) => void;
  context: FormContext;
  autoFocus: boolean;
}) {
  const set = (v: string) => onChange(field.name, v);
  if (field.widget === 'accent') return <AccentPicker field={field} value={value} error={error} onChange={set} />;
  if (field.widget === 'members') {
    return <MemberPicker label={field.label} name={field.name} value={value} members={context.members ?? []} meId={context.meId} error={error} onChange={set} />;
  }

  const max = field.spec.max_len;
  const counter = field.widget === 'textarea' && max && value.length > max * 0.8 ? `${value.length} / ${max}` : undefined;
  const hint = field.spec.format === 'iso8601' ? 'A date such as 2026-12-31 (or a date and time).' : (counter ?? HINTS[field.widget]);
  const wide = field.widget === 'textarea' || field.widget === 'json' || field.required;

  return (
    <Field label={field.label} error={error} hint={hint} required={field.required} className={wide ? 'field-wide' : undefined}>
      {(props) => <Control field={field} value={value} set={set} props={props} context={context} autoFocus={autoFocus} />}
    </Field>
  );
}

function Control({
  field,
  value,
  set,
  props,
  context,
  autoFocus,
}: {
  field: FormField;
  value: string;
  set: (v: string) => void;
  props: ControlProps;
  context: FormContext;
  autoFocus: boolean;
}) {
  const listId = useId();
  const common = { ...props, name: field.name, autoFocus, value, onChange: (e: { target: { value: string } }) => set(e.target.value) };
  switch (field.widget) {
    case 'textarea':
      return <textarea {...common} rows={6} className="input" />;
    case 'json':
      return <textarea {...common} rows={4} className="input mono" spellCheck={false} />;
    case 'enum':
      return (
        <select {...common} className="input">
          {!field.required && <option value="">None</option>}
          {field.options?.map((o) => (
            <option key={o} value={o}>
              {o.charAt(0).toUpperCase() + o.slice(1)}
            </option>
          ))}
        </select>
      );
    case 'column': {
      const columns = context.columns ?? [];
      const known = columns.some((c) => c.key === value);
      return (
        <select {...common} className="input">
          {!known && <option value={value}>{value || 'None'}</option>}
          {columns.map((c) => (
            <option key={c.key} value={c.key}>
              {c.name}
            </option>
          ))}
        </select>
      );
    }
    case 'ref': {
      const options = context.refOptions?.[field.refType ?? ''] ?? [];
      const known = options.some((o) => o.value === value);
      return (
        <select {...common} className="input">
          <option value="">None</option>
          {!known && value && <option value={value}>{value}</option>}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
    }
    case 'date':
      return <DateInput common={common} set={set} />;
    case 'number':
      return <input {...common} type="text" inputMode="decimal" className="input" autoComplete="off" />;
    default: {
      const suggestions = context.suggestions?.[field.name];
      return (
        <>
          <input {...common} type="text" className="input" autoComplete="off" list={suggestions ? listId : undefined} />
          {suggestions && (
            <datalist id={listId}>
              {suggestions.map((s) => (
                <option key={s} value={s} />
              ))}
            </datalist>
          )}
        </>
      );
    }
  }
}

/** A text box for an ISO date (so anything typed reaches the server and its message), with a calendar beside it. */
function DateInput({ common, set }: { common: ControlProps & { value: string; name: string; autoFocus: boolean; onChange: (e: { target: { value: string } }) => void }; set: (v: string) => void }) {
  const picker = useRef<HTMLInputElement>(null);
  return (
    <div className="input-with-button">
      <input {...common} type="text" className="input" placeholder="YYYY-MM-DD" autoComplete="off" />
      <button
        type="button"
        className="icon-btn"
        aria-label="Pick a date"
        onClick={() => {
          const input = picker.current!;
          input.value = /^\d{4}-\d{2}-\d{2}/.test(common.value) ? common.value.slice(0, 10) : '';
          try {
            input.showPicker();
          } catch {
            input.focus();
          }
        }}
      >
        <Icon name="calendar" />
      </button>
      <input ref={picker} type="date" className="visually-hidden" tabIndex={-1} aria-hidden="true" onChange={(e) => set(e.target.value)} />
    </div>
  );
}

/** The twelve accent colours as a radio group of swatches. */
function AccentPicker({ field, value, error, onChange }: { field: FormField; value: string; error?: string; onChange: (v: string) => void }) {
  const errorId = useId();
  return (
    <fieldset className={`field field-wide${error ? ' field-invalid' : ''}`} aria-describedby={error ? errorId : undefined}>
      <legend className="field-label">{field.label}</legend>
      <div className="swatches">
        {field.options?.map((accent) => (
          <label key={accent} className="swatch" style={{ ['--swatch' as string]: accentColor(accent) }} title={accent}>
            <input type="radio" name={field.name} value={accent} checked={value === accent} onChange={() => onChange(accent)} aria-label={accent} />
            <span className="swatch-dot" aria-hidden="true">
              {value === accent && <Icon name="check" size={14} />}
            </span>
          </label>
        ))}
      </div>
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </fieldset>
  );
}
