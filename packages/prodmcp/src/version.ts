/**
 * This build's version. The build writes `const PRODMCP_VERSION = "x.y.z";` as the second line of
 * dist/prodmcp.mjs; the server reads the same line to advertise the build it distributes, so the
 * version a file reports and the version the server announces for it can never disagree.
 */
declare const PRODMCP_VERSION: string | undefined;

/** The running build's version ("0.0.0-dev" when run from source). */
export const VERSION: string = typeof PRODMCP_VERSION === 'string' ? PRODMCP_VERSION : '0.0.0-dev';

/** The command name, the name in serverInfo, and the logger name of log notifications. */
export const COMMAND_NAME = 'prodmcp';

/**
 * The npm package (packages/prodmcp/package.json), under the project's own scope: the unscoped name
 * `prodmcp` belongs to no one here, and whoever published it would receive the tokens pasted into it.
 */
export const PACKAGE_NAME = '@production-board/prodmcp';

/** The product the tools work on. */
export const APP_NAME = 'Production Board';
