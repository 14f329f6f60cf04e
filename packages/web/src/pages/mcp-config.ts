/**
 * How each AI host connects to Production Board. The default is by URL: the host talks to this
 * server's /mcp and signs in with OAuth (a browser window asks the member to allow it), so nothing is
 * installed and no token is pasted. The alternative runs prodmcp over stdio from the single file this
 * server distributes, with PRODMCP_BASE_URL (this server) and PRODMCP_TOKEN (a personal access token).
 * No snippet names an npm package: the unscoped `prodmcp` is not ours (whoever published that name
 * would receive the tokens pasted into it), and the project's `@production-board/prodmcp` is ready to
 * publish but not published (README: "From npm, once published"); add an npx snippet only once it is.
 */

/** How the host connects: to /mcp by URL (OAuth), or by running the downloaded prodmcp file. */
export type Launch = 'url' | 'file';

export const HOSTS = [
  {
    id: 'claude',
    name: 'Claude',
    url: 'Settings → Connectors → Add custom connector, paste the URL, then Connect and allow it. In Claude Code: run the command instead.',
    file: 'Claude Desktop: Settings → Developer → Edit Config (claude_desktop_config.json), then restart Claude Desktop.',
  },
  {
    id: 'chatgpt',
    name: 'ChatGPT',
    url: 'Settings → Connectors → Create (developer mode), paste the URL as the MCP server URL, choose OAuth, then allow it.',
    file: 'ChatGPT connects by URL only; use “This server’s URL”.',
  },
  {
    id: 'cursor',
    name: 'Cursor',
    url: '~/.cursor/mcp.json for every project, or .cursor/mcp.json in one project; Cursor opens the sign-in page.',
    file: '~/.cursor/mcp.json for every project, or .cursor/mcp.json in one project.',
  },
  {
    id: 'vscode',
    name: 'VS Code',
    url: '.vscode/mcp.json in your workspace (or “MCP: Open User Configuration”); VS Code asks you to sign in.',
    file: '.vscode/mcp.json in your workspace (or “MCP: Open User Configuration”). VS Code asks for the token once and keeps it out of the file.',
  },
] as const;

export type HostId = (typeof HOSTS)[number]['id'];

/** What to paste for `host`: a URL, a command, or the JSON of its MCP settings. */
export function mcpConfig(host: HostId, options: { baseUrl: string; token?: string; launch: Launch }): string {
  const endpoint = `${options.baseUrl}/mcp`;
  if (options.launch === 'url' || host === 'chatgpt') {
    if (host === 'claude') return `${endpoint}\n\n# Claude Code:\nclaude mcp add --transport http prodboard ${endpoint}`;
    if (host === 'chatgpt') return endpoint;
    if (host === 'vscode') return JSON.stringify({ servers: { prodboard: { type: 'http', url: endpoint } } }, null, 2);
    return JSON.stringify({ mcpServers: { prodboard: { url: endpoint } } }, null, 2);
  }
  if (host === 'vscode') {
    const config = {
      inputs: [{ type: 'promptString', id: 'prodboard-token', description: 'Production Board personal access token (pat_…)', password: true }],
      servers: {
        prodboard: {
          type: 'stdio',
          command: 'node',
          args: ['${userHome}/.prodmcp/prodmcp.mjs'],
          env: { PRODMCP_BASE_URL: options.baseUrl, PRODMCP_TOKEN: '${input:prodboard-token}' },
        },
      },
    };
    return JSON.stringify(config, null, 2);
  }
  // Claude Desktop and Cursor do not expand ~ in arguments: the file path must be absolute.
  const config = {
    mcpServers: {
      prodboard: { command: 'node', args: ['/ABSOLUTE/PATH/TO/.prodmcp/prodmcp.mjs'], env: { PRODMCP_BASE_URL: options.baseUrl, PRODMCP_TOKEN: options.token ?? 'pat_…' } },
    },
  };
  return JSON.stringify(config, null, 2);
}
