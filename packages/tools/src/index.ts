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
export * from './compact.js';
export * from './refs.js';
export * from './task-tools.js';
export * from './toolsets.js';
export * from './resources.js';
