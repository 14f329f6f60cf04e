/** Where this prodmcp is installed, and what to run to update it. */
import { realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMAND_NAME, PACKAGE_NAME, VERSION } from '../version.js';

/** The file this process runs from, symlinks resolved. */
export function runningScriptPath(): string {
  return realpathSync(fileURLToPath(import.meta.url));
}

/** True when the file was installed by npm (it lives under node_modules). */
export function installedFromNpm(path: string): boolean {
  return path.split(sep).includes('node_modules');
}

/** The npm command that installs `version`. */
export function npmCommand(version: string): string {
  return `npm install -g ${PACKAGE_NAME}@${version}`;
}

/** What to run to get `latest`, for this installation. */
export function updateAdvice(latest: string): string {
  const how = installedFromNpm(runningScriptPath()) ? `run \`${npmCommand(latest)}\`` : `run \`${COMMAND_NAME} update\``;
  return `${COMMAND_NAME} ${latest} is available (this is ${VERSION}): ${how}, then restart your MCP host.`;
}
