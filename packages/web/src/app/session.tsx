/**
 * Who is signed in: the token (from session.ts) and the caller it belongs to (/auth/me), shared
 * with every page. Signing in stores the token; signing out tells the server and forgets it.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { api } from '../api/client.js';
import { onSessionChange, sessionToken, setSessionToken } from '../api/session.js';
import type { Me, SignedIn } from '../api/types.js';
import { live } from '../live/live.js';

interface SessionValue {
  token: string | null;
  me: Me | null;
  /** Reads the caller again (a role may have changed since sign-in). */
  refresh: () => void;
  signIn: (result: SignedIn) => void;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionValue>({ token: null, me: null, refresh: () => {}, signIn: () => {}, signOut: async () => {} });

/** The signed-in caller and the sign-in/out actions. */
export function useSession(): SessionValue {
  return useContext(SessionContext);
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const token = useSyncExternalStore(onSessionChange, sessionToken);
  const [me, setMe] = useState<Me | null>(null);

  useEffect(() => {
    live.setToken(token);
  }, [token]);

  const [asked, setAsked] = useState(0);
  const refresh = useCallback(() => setAsked((n) => n + 1), []);
  // A role change (or a refused credential) arrives on the live stream: the caller is read again, so
  // the pages follow the new role at once, or the session ends.
  useEffect(() => live.subscribeAccess(refresh), [refresh]);

  useEffect(() => {
    if (!token) {
      setMe(null);
      return;
    }
    let stale = false;
    api
      .get<Me>('/auth/me')
      .then((who) => !stale && setMe(who))
      .catch(() => {
        // A 401 signs out (client.ts); a network failure shows the banner and the next call retries.
      });
    return () => {
      stale = true;
    };
  }, [token, asked]);

  const signIn = useCallback((result: SignedIn) => {
    setMe(result.user);
    setSessionToken(result.access_token);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.post('/auth/logout');
    } catch {
      // Signed out locally either way.
    }
    setSessionToken(null);
    setMe(null);
  }, []);

  const value = useMemo(() => ({ token, me, refresh, signIn, signOut }), [token, me, refresh, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
