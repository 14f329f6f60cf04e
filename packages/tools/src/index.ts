/**
 * @prodboard/tools: the MCP tool layer both prodmcp (stdio) and the server (/mcp) serve.
 */
export * from './backend.js';
export * from './catalogue.js';
export * from './json-schema.js';
export * from './mcp-server.js';
export * from './results.js';
export * from './run.js';
export * from './schemas.js';
