/**
 * prodmcp settings for the common AI hosts. Every host launches prodmcp over stdio with two
 * environment variables: PRODMCP_BASE_URL (this server) and PRODMCP_TOKEN (a personal access token).
 */

/** How prodmcp is started: from npm with npx, or the single file this server distributes, with node. */
export type Launch = 'npx' | 'file';

export const HOSTS = [
  {
    id: 'claude',
    name: 'Claude Desktop',
    where: 'Settings → Developer → Edit Config (claude_desktop_config.json), then restart Claude Desktop.',
  },
  {
    id: 'cursor',
    name: 'Cursor',
    where: '~/.cursor/mcp.json for every project, or .cursor/mcp.json in one project.',
  },
  {
    id: 'vscode',
    name: 'VS Code',
    where: '.vscode/mcp.json in your workspace (or “MCP: Open User Configuration”). VS Code asks for the token once and keeps it out of the file.',
  },
] as const;

export type HostId = (typeof HOSTS)[number]['id'];

/** The JSON to paste for `host`. */
export function mcpConfig(host: HostId, options: { baseUrl: string; token?: string; launch: Launch }): string {
  const run = options.launch === 'npx' ? { command: 'npx', args: ['-y', 'prodmcp'] } : { command: 'node', args: ['${userHome}/.prodmcp/prodmcp.mjs'] };
  if (host === 'vscode') {
    const config = {
      inputs: [{ type: 'promptString', id: 'prodboard-token', description: 'Production Board personal access token (pat_…)', password: true }],
      servers: {
        prodboard: { type: 'stdio', ...run, env: { PRODMCP_BASE_URL: options.baseUrl, PRODMCP_TOKEN: '${input:prodboard-token}' } },
      },
    };
    return JSON.stringify(config, null, 2);
  }
  // Claude Desktop and Cursor do not expand ~ in arguments: the file path must be absolute.
  const args = options.launch === 'npx' ? run.args : ['/ABSOLUTE/PATH/TO/.prodmcp/prodmcp.mjs'];
  const config = {
    mcpServers: {
      prodboard: { command: run.command, args, env: { PRODMCP_BASE_URL: options.baseUrl, PRODMCP_TOKEN: options.token ?? 'pat_…' } },
    },
  };
  return JSON.stringify(config, null, 2);
}
