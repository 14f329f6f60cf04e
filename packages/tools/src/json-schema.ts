/**
 * The subset of JSON Schema the tool arguments use, and a checker for it whose messages name the
 * argument, what it must be and (for enums) every allowed value, so a model can fix its call from
 * the message alone. It is also the SDK's JSON Schema validator in the bundle (see sdk-shims.ts).
 */
import type { JsonSchemaType, jsonSchemaValidator, JsonSchemaValidator } from '@modelcontextprotocol/server';

/** JSON value types as JSON Schema names them. */
export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** The JSON Schema keywords tool arguments use. */
export interface JsonSchema {
  type?: JsonType | JsonType[];
  description?: string;
  enum?: Array<string | number | boolean | null>;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

function accepts(types: JsonType[], value: unknown): boolean {
  const actual = jsonTypeOf(value);
  if (actual === 'number' && !Number.isFinite(value as number)) return false;
  return types.includes(actual) || (actual === 'integer' && types.includes('number'));
}

const TYPE_WORDS: Record<JsonType, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function typesOf(schema: JsonSchema): JsonType[] {
  if (schema.anyOf) return schema.anyOf.flatMap(typesOf);
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

function typeWords(schema: JsonSchema): string {
  const words = [...new Set(typesOf(schema))].map((t) => {
    const of = t === 'array' && schema.items ? ` of ${typeWords(schema.items).replace(/^an? /, '')}s` : '';
    return TYPE_WORDS[t] + of;
  });
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** A short, safe rendering of a value for messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

function rangeWords(schema: JsonSchema): string {
  const { minimum: min, maximum: max } = schema;
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}

/**
 * Every problem of `value` against `schema`, as messages naming `name` (a dotted path such as
 * `filter.priority`). `root` marks the arguments object itself.
 */
export function checkValue(schema: JsonSchema, value: unknown, name: string, root = false): string[] {
  if (schema.anyOf) {
    const fitting = schema.anyOf.filter((branch) => typesOf(branch).length === 0 || accepts(typesOf(branch), value));
    if (fitting.length === 0) return [`${name} must be ${typeWords(schema)}; got ${describeValue(value)}`];
    let firstProblems: string[] | undefined;
    for (const branch of fitting) {
      const problems = checkValue(branch, value, name);
      if (problems.length === 0) return [];
      firstProblems ??= problems;
    }
    return firstProblems ?? [];
  }
  const types = typesOf(schema);
  if (types.length > 0 && !accepts(types, value)) {
    const range = types.includes('integer') || types.includes('number') ? rangeWords(schema) : '';
    return [`${name} must be ${typeWords(schema)}${range}; got ${describeValue(value)}`];
  }
  if (schema.enum && !schema.enum.includes(value as string)) {
    return [`${name} must be one of: ${schema.enum.map((v) => String(v)).join(', ')}; got ${describeValue(value)}`];
  }
  if (typeof value === 'number') {
    if ((schema.minimum !== undefined && value < schema.minimum) || (schema.maximum !== undefined && value > schema.maximum)) {
      return [`${name} must be ${typeWords(schema)}${rangeWords(schema)}; got ${value}`];
    }
  }
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      return [`${name} must be at most ${schema.maxLength} characters; got ${value.length}`];
    }
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      return [schema.minLength === 1 ? `${name} must not be empty` : `${name} must be at least ${schema.minLength} characters`];
    }
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return [`${name} may hold at most ${schema.maxItems} items; got ${value.length}`];
    if (schema.minItems !== undefined && value.length < schema.minItems) return [`${name} must hold at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`];
    if (schema.items) return value.flatMap((item, i) => checkValue(schema.items!, item, `${name}[${i}]`));
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return checkObject(schema, value as Record<string, unknown>, name, root);
  }
  return [];
}

function checkObject(schema: JsonSchema, value: Record<string, unknown>, name: string, root: boolean): string[] {
  const problems: string[] = [];
  const properties = schema.properties ?? {};
  const path = (key: string) => (root ? key : `${name}.${key}`);
  for (const key of schema.required ?? []) {
    if (value[key] === undefined) problems.push(`${path(key)} is required`);
  }
  for (const [key, item] of Object.entries(value)) {
    const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (!property) {
      if (schema.additionalProperties === false) {
        const allowed = Object.keys(properties).join(', ') || 'none';
        problems.push(root ? `unknown argument "${key}"; the arguments are: ${allowed}` : `${name} has no key "${key}"; allowed keys: ${allowed}`);
      }
      continue;
    }
    if (item === undefined) continue;
    problems.push(...checkValue(property, item, path(key)));
  }
  return problems;
}

/** The SDK's JSON Schema validator interface over `checkValue`. */
export const argumentValidator: jsonSchemaValidator = {
  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    return (input: unknown) => {
      const problems = checkValue(schema as JsonSchema, input, 'value', true);
      return problems.length === 0
        ? { valid: true, data: input as T, errorMessage: undefined }
        : { valid: false, data: undefined, errorMessage: problems.join('; ') };
    };
  },
};
