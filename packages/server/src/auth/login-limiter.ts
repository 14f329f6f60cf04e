/**
 * Limits on password guessing, kept in the store so they hold across instances:
 *
 * - Per account and address: `loginMaxFailures` failures are free, then each further attempt from
 *   that address waits, 1 minute doubling up to `loginWindowMs`. Only that address waits, so the
 *   real user signing in from anywhere else is never refused: guessing is no button that locks them
 *   out. Failures are remembered for a day, so a patient guesser stays slow; a right password from
 *   the address wipes its slate.
 * - Per address, across accounts: `loginAddressMaxFailures` failures per `loginWindowMs` (one
 *   password sprayed over many accounts), set high enough that a team behind one NAT never meets it.
 * - Per account on a password change: `loginMaxFailures` wrong current passwords per `loginWindowMs`.
 *
 * Each attempt is counted before its password is checked (in one transaction, the keys locked), so
 * parallel guesses cannot all slip under a limit; a success takes its count back. Addresses are
 * `request.ip`, which X-Forwarded-For sets only through a trusted proxy (`trustedProxies`).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { AppError } from '@prodboard/shared';
import type { ServerConfig } from '../config.js';
import type { Store } from '../store/types.js';
import { emailKey } from '../store/email.js';
import { waitInWords } from './rate-limit.js';

/** The first wait once an account and address have used their free failures. */
const FIRST_WAIT_MS = 60_000;
/** How long a failure slows its account and address. */
const REMEMBER_MS = 24 * 60 * 60_000;


/**
 * The address a limit counts: an IPv6 client by its /64, since one subscriber commonly holds a whole
 * /64 and could otherwise step to a fresh, unslowed address on every guess; an IPv4-mapped IPv6
 * address as the IPv4 address it is.
 */
export function limitAddress(ip: string): string {
  const address = ip.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])));
  const front = groups(head);
  const back = address.includes('::') ? groups(tail) : [];
  const all = [...front, ...Array(8 - front.length - back.length).fill('0'), ...back];
  return `${all.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

function limited(what: string, waitMs: number): AppError {
  return new AppError('rate_limited', `${what}; try again in ${waitInWords(waitMs)}`, { retryAfter: waitMs / 1000 });
}

/** An attempt counted before its password was checked: what a success takes back. */
export interface CountedAttempt {
  at: number;
  /** Keys whose failures a success wipes. */
  clear: string[];
  /** Keys from which a success takes back only this attempt. */
  forget: string[];
}

/** The login and password-change limits of one app. */
export class LoginLimiter {
  constructor(private readonly store: Store, private readonly config: ServerConfig) {}

  /** Counts a login to `email` from `address`, or throws 429 with Retry-After when it must wait. */
  async reserveLogin(email: string, address: string): Promise<CountedAttempt> {
    const { loginWindowMs: window, loginMaxFailures: free, loginAddressMaxFailures } = this.config;
    const at = this.now();
    const client = limitAddress(address);
    const account = `account:${client}|${emailKey(email)}`;
    const from = `ip:${client}`;
    await this.store.pruneLoginFailures(at - Math.max(REMEMBER_MS, window));
    await this.store.transaction(async (tx) => {
      await tx.lockKey(`login:${account}`);
      await tx.lockKey(`login:${from}`);
      const sent = await tx.countLoginFailures(from, at - window + 1);
      if (sent.count >= loginAddressMaxFailures) throw limited('too many failed sign-ins from your address', sent.oldest! + window - at);
      const tried = await tx.countLoginFailures(account, at - REMEMBER_MS + 1);
      if (tried.count >= free) {
        const wait = Math.min(FIRST_WAIT_MS * 2 ** (tried.count - free), window);
        const left = tried.newest! + wait - at;
        if (left > 0) throw limited('too many failed sign-ins to this account from your address', left);
      }
      await tx.recordLoginFailure(account, at);
      await tx.recordLoginFailure(from, at);
    });
    return { at, clear: [account], forget: [from] };
  }

  /** Counts a check of `userId`'s current password, or throws 429 when too many were wrong. */
  async reservePasswordCheck(userId: string): Promise<CountedAttempt> {
    const window = this.config.loginWindowMs;
    const at = this.now();
    const key = `password:${userId}`;
    await this.store.transaction(async (tx) => {
      await tx.lockKey(`login:${key}`);
      const wrong = await tx.countLoginFailures(key, at - window + 1);
      if (wrong.count >= this.config.loginMaxFailures) throw limited('too many wrong current passwords for this account', wrong.oldest! + window - at);
      await tx.recordLoginFailure(key, at);
    });
    return { at, clear: [], forget: [key] };
  }

  /** The password was right: the attempt was no failure. */
  async succeeded(attempt: CountedAttempt): Promise<void> {
    for (const key of attempt.clear) await this.store.clearLoginFailures(key);
    for (const key of attempt.forget) await this.store.forgetLoginFailure(key, attempt.at);
  }

  private now(): number {
    return this.config.now();
  }
}
