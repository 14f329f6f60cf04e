/**
 * /mcp's direct path for the request an assistant sends most: one plain `tools/call` of the current
 * (stateless) protocol. Through the SDK's per-request pipeline (a Fetch Request, the classifier, an
 * McpServer connected to a one-exchange transport, a Fetch Response) such a call cost about fifteen
 * times the tool's own work; here it runs the same tool code (callTool, as the McpServer's handler
 * runs it) and writes the JSON-RPC answer the SDK would write, byte for byte
 * (test/mcp-direct-call.test.ts compares the two paths on every kind of call).
 *
 * It serves only the exact, well-formed common case, decided by the SDK's own classifier plus a
 * few stricter checks; anything else (another method or era, a progress token, a batch, a header
 * that is missing or disagrees with the body, an unknown tool, any envelope key besides the
 * protocol version, client info and capabilities) goes to the SDK, which answers or refuses it as
 * it always has. PRODBOARD_MCP_DIRECT_CALLS=0 sends everything to the SDK.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  SERVER_INFO_META_KEY,
  classifyInboundRequest,
  isJsonContentType,
} from '@modelcontextprotocol/server';
import type { ToolResult, ToolSpec } from '@prodboard/tools';
import type { FastifyRequest } from 'fastify';

/**
 * The protocol revision served directly: the one whose result encoding directAnswer writes (a later
 * revision goes to the SDK until this file learns it; the test compares the two paths' answers).
 */
const DIRECT_REVISION = '2026-07-28';

/** The envelope keys a direct call may carry; any other (a log level, a trace, a task) is the SDK's to handle. */
const ENVELOPE_KEYS = new Set([PROTOCOL_VERSION_META_KEY, CLIENT_INFO_META_KEY, CLIENT_CAPABILITIES_META_KEY]);

/** The params keys of a plain call (no task augmentation, nothing the SDK would act on besides the call). */
const PARAMS_KEYS = new Set(['name', 'arguments', '_meta']);

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain => value !== null && typeof value === 'object' && !Array.isArray(value);

function onlyKeys(value: Plain, allowed: Set<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

/** A call the direct path serves. */
export interface DirectCall {
  id: string | number;
  spec: ToolSpec;
  arguments: Plain | undefined;
}

/**
 * The call `request` is, when it is a plain modern tools/call of one of `tools`; undefined sends the
 * request to the SDK. Every test here only narrows what the SDK would serve: the SDK's classifier
 * must route it as a modern request, and the standard headers must be present and equal the body.
 */
export function directCall(request: FastifyRequest, tools: readonly ToolSpec[]): DirectCall | undefined {
  const body = request.body;
  if (request.method !== 'POST' || !isPlain(body) || body.method !== 'tools/call') return undefined;
  const { headers } = request;
  if (!isJsonContentType(headers['content-type'])) return undefined;
  const params = body.params;
  if (!isPlain(params) || !onlyKeys(params, PARAMS_KEYS)) return undefined;
  const name = params.name;
  const args = params.arguments;
  const meta = params._meta;
  if (typeof name !== 'string' || (args !== undefined && !isPlain(args)) || !isPlain(meta) || !onlyKeys(meta, ENVELOPE_KEYS)) return undefined;
  const version = headers['mcp-protocol-version'];
  if (typeof version !== 'string' || version !== DIRECT_REVISION || headers['mcp-method'] !== 'tools/call' || headers['mcp-name'] !== name) return undefined;
  const id = body.id;
  if (body.jsonrpc !== '2.0' || !(typeof id === 'string' || Number.isSafeInteger(id)) || !onlyKeys(body, MESSAGE_KEYS)) return undefined;
  const spec = tools.find((tool) => tool.name === name);
  if (!spec || !classifiedModern(body, meta, name)) return undefined;
  return { id: id as string | number, spec, arguments: args };
}

/** The keys of a JSON-RPC request. */
const MESSAGE_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);

/**
 * The SDK classifier's answers, by envelope. With everything else fixed by the checks above (a
 * JSON-RPC 2.0 request with a string or integer id, method and Mcp-Method tools/call, params of
 * name, arguments and _meta only, MCP-Protocol-Version the revision served), what the classifier
 * decides depends on the envelope (`_meta`) alone: it validates the JSON-RPC shape, the envelope's
 * keys and values, and the envelope's protocol version against the header. So its answer for one
 * envelope is its answer for every call carrying it, and a client sends the same envelope each
 * call; asking it each time cost a fifth of a direct call (zod parses, failing ones included).
 * An envelope not seen yet is classified with the whole request. Bounded: the first envelopes
 * seen are dropped first; a long one, or one JSON cannot write back as it was read, is classified
 * every time rather than kept.
 */
const classified = new Map<string, boolean>();
const CLASSIFIED_MAX = 256;

/** The SDK classifier's verdict on the whole request: a modern request of the revision served. */
function classify(body: Plain, name: string): boolean {
  const route = classifyInboundRequest({ httpMethod: 'POST', protocolVersionHeader: DIRECT_REVISION, mcpMethodHeader: 'tools/call', mcpNameHeader: name, body });
  return route.kind === 'modern' && route.messageKind === 'request' && route.classification.revision === DIRECT_REVISION;
}

/** Longest envelope remembered (as JSON): a caller could otherwise park a megabyte per entry. */
const CLASSIFIED_KEY_MAX = 2048;

/**
 * Whether JSON.stringify writes `value` as it was read: false when a number is not finite (`1e999`
 * parses to Infinity, written as null, which the classifier accepts where it refuses Infinity).
 */
function writesAsRead(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (value === null || typeof value !== 'object') return true;
  for (const key in value) if (!writesAsRead((value as Plain)[key])) return false;
  return true;
}

function classifiedModern(body: Plain, meta: Plain, name: string): boolean {
  const key = writesAsRead(meta) ? JSON.stringify(meta) : undefined;
  if (key === undefined) return classify(body, name);
  let modern = classified.get(key);
  if (modern === undefined) {
    modern = classify(body, name);
    if (key.length <= CLASSIFIED_KEY_MAX) {
      if (classified.size >= CLASSIFIED_MAX) classified.delete(classified.keys().next().value!);
      classified.set(key, modern);
    }
  }
  return modern;
}

/**
 * The JSON-RPC answer to a direct call, byte for byte as the SDK's encoder writes a tools/call
 * result of this revision: the result's fields in the SDK's order, stamped `resultType: "complete"`,
 * the server's identity in `_meta`. The value is written once: a tool result's text is its JSON.
 */
export function directAnswer(id: string | number, result: ToolResult, serverInfoJson: string): string {
  const text = result.content[0].text;
  return `{"result":{"content":[{"type":"text","text":${JSON.stringify(text)}}],"structuredContent":${text}${result.isError ? ',"isError":true' : ''},"resultType":"complete","_meta":{${JSON.stringify(SERVER_INFO_META_KEY)}:${serverInfoJson}}},"jsonrpc":"2.0","id":${JSON.stringify(id)}}`;
}
