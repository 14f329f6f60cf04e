/**
 * CLI output and the error that ends a command with an exit code. Data (whoami, version, tools,
 * doctor) goes to stdout; messages for the person at the terminal go to stderr, so stdout stays
 * clean when a script reads it.
 */

/** Where a command writes. */
export interface Io {
  /** One line of data on stdout. */
  out(line: string): void;
  /** One line for the person, on stderr. */
  err(line: string): void;
  /** True when stderr is a terminal (colour is welcome). */
  color: boolean;
}

/** The process's own stdout and stderr. */
export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR,
};

/** "ok" in green on a terminal. */
export function ok(io: Io): string {
  return io.color ? '\u001b[32mok\u001b[0m' : 'ok';
}

/** Ends the command with `code`, after printing `message` (when given) on stderr. */
export class ExitError extends Error {
  constructor(readonly code: number, message = '') {
    super(message);
    this.name = 'ExitError';
  }
}

/** Options of a command line: `--name value`, `--name=value`, or flags. */
export function parseOptions(args: string[], known: Record<string, 'string' | 'flag'>, usage: string): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    const kind = m ? known[m[1]] : undefined;
    if (!m || !kind) throw new ExitError(2, `unknown argument "${arg}"\n${usage}`);
    if (kind === 'flag') {
      out[m[1]] = true;
      continue;
    }
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new ExitError(2, `--${m[1]} needs a value\n${usage}`);
    out[m[1]] = value;
  }
  return out;
}
