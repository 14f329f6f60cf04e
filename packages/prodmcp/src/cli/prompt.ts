/**
 * Questions on the terminal (or answers piped into stdin, one per line). Secrets are read without
 * echo on a terminal.
 */
import { ExitError } from './io.js';

/** Reads answers from stdin. */
export class Prompter {
  private buffer = '';
  private ended = false;
  private waiting?: () => void;
  private listening = false;
  /** While a secret is typed on a terminal, the line reader must not see it. */
  private readingSecret = false;

  constructor(
    private readonly input: NodeJS.ReadStream = process.stdin,
    private readonly output: NodeJS.WriteStream = process.stderr,
  ) {}

  /** The next answer, trimmed; undefined when stdin has ended. */
  async ask(question: string): Promise<string | undefined> {
    this.output.write(question);
    const line = await this.nextLine();
    return line?.trim();
  }

  /** A secret answer: not echoed on a terminal; undefined when stdin has ended. */
  async askSecret(question: string): Promise<string | undefined> {
    if (!this.input.isTTY) return this.ask(question);
    this.output.write(question);
    return new Promise((resolve, reject) => {
      let secret = '';
      this.readingSecret = true;
      this.input.setRawMode(true);
      this.input.resume();
      const onData = (chunk: Buffer) => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n' || char === '\u0004') {
            finish();
            return resolve(secret);
          }
          if (char === '\u0003') {
            finish();
            return reject(new ExitError(130));
          }
          if (char === '\u007f' || char === '\b') secret = secret.slice(0, -1);
          else secret += char;
        }
      };
      const finish = () => {
        this.input.off('data', onData);
        this.readingSecret = false;
        this.input.setRawMode(false);
        this.input.pause();
        this.output.write('\n');
      };
      this.input.on('data', onData);
    });
  }

  /** Stops reading stdin so the process can exit. */
  close(): void {
    if (this.listening) this.input.pause();
  }

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    this.input.setEncoding('utf8');
    this.input.on('data', (chunk: string | Buffer) => {
      if (this.readingSecret) return;
      this.buffer += chunk.toString();
      this.wake();
    });
    this.input.on('end', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  private async nextLine(): Promise<string | undefined> {
    this.listen();
    this.input.resume();
    for (;;) {
      const newline = this.buffer.indexOf('\n');
      if (newline >= 0) {
        const line = this.buffer.slice(0, newline).replace(/\r$/, '');
        this.buffer = this.buffer.slice(newline + 1);
        this.input.pause();
        return line;
      }
      if (this.ended) {
        const rest = this.buffer;
        this.buffer = '';
        return rest === '' ? undefined : rest;
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }
}
