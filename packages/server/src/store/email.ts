/**
 * How both stores match email addresses: by a key computed here, in JS, once, and stored beside the
 * address as typed (`users.email_key`, unique). SQLite's NOCASE folds ASCII only and PostgreSQL's
 * lower() depends on the database's locale; JS lower-casing is the same everywhere.
 */

/** The matching key of an address: trimmed, NFC-normalised, lower-cased (all of Unicode). */
export function emailKey(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/**
 * Keys for existing users (the migration that added email_key): oldest account first, so when two
 * addresses only differ in a case the old database did not fold, the older keeps the address and
 * the newer gets no key (it can no longer sign in by email until an operator changes one of them).
 */
export function emailKeysFor(users: Array<{ id: string; email: string; created_at: string }>): Array<{ id: string; key: string | null }> {
  const taken = new Set<string>();
  return [...users]
    .sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1))
    .map((user) => {
      const key = emailKey(user.email);
      if (taken.has(key)) return { id: user.id, key: null };
      taken.add(key);
      return { id: user.id, key };
    });
}
