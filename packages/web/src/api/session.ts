/**
 * The session token: kept in localStorage so a reload stays signed in, replaced whenever the
 * server renews it (`x-auth-refresh-token`), and announced to whoever listens (the live stream).
 */
const KEY = 'prodboard.session';

type Listener = (token: string | null) => void;
const listeners = new Set<Listener>();

function read(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

let current = read();

/** The session token, or null when signed out. */
export function sessionToken(): string | null {
  return current;
}

/** Stores a new token (or clears it with null) and tells the listeners. */
export function setSessionToken(token: string | null): void {
  if (token === current) return;
  current = token;
  try {
    if (token) localStorage.setItem(KEY, token);
    else localStorage.removeItem(KEY);
  } catch {
    // Private mode without storage: the session lasts as long as the tab.
  }
  for (const listener of listeners) listener(token);
}

/** Calls `listener` whenever the token changes; returns the unsubscribe function. */
export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Another tab signing in or out changes this one too.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key === KEY && event.newValue !== current) {
      current = event.newValue;
      for (const listener of listeners) listener(current);
    }
  });
}
