/**
 * Tool results: compact JSON text (no indentation: the model pays for every token) beside the same
 * value as `structuredContent`; failures are `isError` results carrying the server's message and
 * HTTP status, so the model can read what went wrong and fix its call.
 */
import { BackendError } from './backend.js';

/**
 * Every tool result: one text block whose text is exactly `JSON.stringify(structuredContent)`
 * (/mcp's direct path writes the value once and reuses the text for it), and `isError` on failure.
 */
export interface ToolResult {
  [key: string]: unknown;
  content: [{ type: 'text'; text: string }];
  structuredContent: Record<string, unknown>;
  isError?: true;
}

/** A successful result. */
export function successResult(value: Record<string, unknown>): ToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
}

/** A failed result: `{error, http_status, code, errors?}` as text and as structuredContent. */
export function errorResult(err: unknown, serverName: string): ToolResult {
  const error = err instanceof BackendError ? err : new BackendError(0, `${serverName} failed: ${(err as Error)?.message ?? String(err)}`, 'internal');
  const body = error.toBody() as unknown as Record<string, unknown>;
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }], structuredContent: body };
}
