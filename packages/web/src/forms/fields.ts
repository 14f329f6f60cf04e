/**
 * Form fields derived from the manifest: which fields a create or update form shows, the control
 * each one gets, and the conversion between stored values and what a person types. Nothing here
 * lists a model's fields; a field added to the manifest shows up in every form on its own.
 */
import { MANIFEST, fieldOf, type FieldSpec, type Json } from '@prodboard/shared';
import { ApiError } from '../api/client.js';

/** The control a field is edited with. */
export type Widget = 'text' | 'textarea' | 'number' | 'enum' | 'accent' | 'tags' | 'json' | 'date' | 'columns' | 'column' | 'ref' | 'members';

/**
 * Choices the manifest cannot express, keyed by model and field: a board's accent is picked from
 * swatches, and a card's status is one of its board's columns (see the field's description).
 */
const WIDGET_CHOICES: Record<string, Record<string, Widget>> = {
  board: { accent: 'accent' },
  card: { status: 'column' },
};

/** Free text longer than this gets a multi-line box. */
const LONG_TEXT = 1000;

/** One field of a form. */
export interface FormField {
  name: string;
  label: string;
  widget: Widget;
  spec: FieldSpec;
  required: boolean;
  /** Values of an enum. */
  options?: readonly string[];
  /** Shown under "More" (numbers people rarely type, JSON objects). */
  advanced: boolean;
  /** The model a reference field points to. */
  refType?: string;
}

/** What a form holds: every field as the text a person edits. */
export type FormValues = Record<string, string>;

/** "due_date" → "Due date", "board_id" → "Board". */
export function fieldLabel(name: string): string {
  const words = name.replace(/_id$/, '').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The control of a field, or undefined for one edited by a component of its own (a card's checklist). */
function widgetOf(type: string, spec: FieldSpec): Widget | undefined {
  const chosen = WIDGET_CHOICES[type]?.[spec.name];
  if (chosen) return chosen;
  switch (spec.type) {
    case 'string':
      if (spec.ref) return 'ref';
      if (spec.format === 'iso8601') return 'date';
      return (spec.max_len ?? 0) >= LONG_TEXT ? 'textarea' : 'text';
    case 'number':
      return 'number';
    case 'enum':
      return 'enum';
    case 'tags':
      return 'tags';
    case 'dict':
      return 'json';
    case 'columns':
      return 'columns';
    case 'members':
      return 'members';
    case 'checklist':
      return undefined;
  }
}

// Required fields first, then short controls, then long text, then the advanced ones; manifest order within each.
const GROUP: Record<Widget, number> = { text: 1, enum: 1, accent: 1, tags: 1, date: 1, column: 1, ref: 1, columns: 1, members: 1, textarea: 2, number: 3, json: 3 };

/** The fields of a create or update form of `type`, in display order, leaving out `exclude`. */
export function formFields(type: string, op: 'create' | 'update', exclude: readonly string[] = []): FormField[] {
  const model = MANIFEST[type];
  const names = op === 'create' ? model.create_fields : model.update_fields;
  const fields = names
    .filter((name) => !exclude.includes(name))
    .flatMap((name): FormField[] => {
      const spec = fieldOf(model, name)!;
      const widget = widgetOf(type, spec);
      if (!widget) return [];
      return [{
        name,
        label: fieldLabel(name),
        widget,
        spec,
        required: spec.required === true,
        options: spec.values,
        advanced: widget === 'number' || widget === 'json',
        refType: spec.ref?.type,
      }];
    });
  const rank = (f: FormField) => (f.required ? 0 : GROUP[f.widget]);
  return fields.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
}

/** Stored data → the text a form shows. */
export function toFormValues(fields: FormField[], data: object): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const value = (data as Record<string, Json | undefined>)[field.name];
    if (value === undefined || value === null) values[field.name] = '';
    else if (field.widget === 'tags' && Array.isArray(value)) values[field.name] = value.join(', ');
    else if (field.widget === 'members' && Array.isArray(value)) values[field.name] = value.join(',');
    else if (field.widget === 'columns' && Array.isArray(value)) values[field.name] = value.map((c) => (c as { name: string }).name).join(', ');
    else if (field.widget === 'json') values[field.name] = JSON.stringify(value, null, 2);
    else values[field.name] = String(value);
  }
  return values;
}

function parseValue(field: FormField, text: string): unknown {
  switch (field.widget) {
    case 'tags':
    case 'members':
      return text.split(',').map((t) => t.trim()).filter(Boolean);
    case 'number': {
      // Anything that is not a number goes as typed, so the server's message explains what it wants.
      const n = Number(text);
      return text.trim() !== '' && Number.isFinite(n) ? n : text;
    }
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    default:
      return field.required || field.widget === 'columns' ? text : text.trim() === '' ? null : text;
  }
}

/**
 * The request body for a form. On create, empty fields are left out; on update (with `initial`),
 * only changed fields are sent and an emptied optional field is sent as null, which clears it.
 */
export function formBody(fields: FormField[], values: FormValues, initial?: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const text = values[field.name] ?? '';
    if (initial) {
      if (text === (initial[field.name] ?? '')) continue;
      body[field.name] = text.trim() === '' && !field.required ? null : parseValue(field, text);
    } else if (text.trim() !== '') {
      body[field.name] = parseValue(field, text);
    }
  }
  return body;
}

/** Capitalised, for display. */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A server error split into messages at fields (`tags[2]` belongs to `tags`) and messages for the whole form. */
export function splitErrors(err: unknown, fieldNames: readonly string[]): { byField: Record<string, string>; general?: string } {
  if (!(err instanceof ApiError)) return { byField: {}, general: err instanceof Error ? err.message : String(err) };
  const byField: Record<string, string> = {};
  const leftover: string[] = [];
  // With one problem, the detail is the fuller sentence; with several, each carries its own.
  const single = err.errors.length === 1;
  for (const e of err.errors) {
    const base = e.field.split(/[.[]/)[0];
    // "due_date must be…" reads as "Due date must be…".
    const raw = single ? err.message : e.message;
    const text = sentence(raw.startsWith(`${base} `) ? `${fieldLabel(base)}${raw.slice(base.length)}` : raw);
    if (fieldNames.includes(base)) byField[base] = byField[base] ? `${byField[base]} ${text}` : text;
    else leftover.push(text);
  }
  const general = leftover.length > 0 ? leftover.join(' ') : Object.keys(byField).length === 0 ? sentence(err.message) : undefined;
  return { byField, general };
}
