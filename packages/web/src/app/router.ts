/**
 * A small router over the History API: the app has a handful of pages, so a path matcher and a
 * navigate function are all it needs. Query parameters hold page state worth sharing (filters).
 */
import { useEffect, useSyncExternalStore } from 'react';

type Listener = () => void;
const listeners = new Set<Listener>();

function subscribe(listener: Listener) {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

/** What a pushed history entry remembers: the location it was pushed from (see `leaveQuery`). */
interface EntryState {
  from?: string;
}

/** Goes to `to` (path and query); `replace` keeps the history entry count. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const here = snapshot();
  if (to === here) return;
  if (options.replace) window.history.replaceState(window.history.state, '', to);
  else window.history.pushState({ from: here } satisfies EntryState, '', to);
  for (const listener of listeners) listener();
}

/** The current location; re-renders on every navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const location = useSyncExternalStore(subscribe, snapshot);
  const [path, search = ''] = location.split('?');
  return { path, query: new URLSearchParams(search) };
}

function withQuery(changes: Record<string, string | undefined>): string {
  const query = new URLSearchParams(window.location.search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') query.delete(key);
    else query.set(key, value);
  }
  const search = query.toString();
  return `${window.location.pathname}${search ? `?${search}` : ''}`;
}

/**
 * Sets (or, with '' or undefined, removes) query parameters of the current page. Each change is a
 * history entry, so Back returns to the previous filters or closes an opened card. Refining a
 * search that is already on (typing on) replaces the entry instead: one entry per search, not one
 * per pause in typing.
 */
export function setQuery(changes: Record<string, string | undefined>, options: { replace?: boolean } = {}): void {
  const current = new URLSearchParams(window.location.search).get('q') ?? '';
  const refining = Object.keys(changes).length === 1 && 'q' in changes && current !== '' && (changes.q ?? '') !== '';
  navigate(withQuery(changes), { replace: options.replace ?? refining });
}

/**
 * Removes page state a `setQuery` added (closing a card): goes Back when the entry before this one
 * is exactly the page without it, so closing leaves no extra entry for Back to step through.
 */
export function leaveQuery(changes: Record<string, undefined>): void {
  leaveTo(withQuery(changes));
}

/** Goes to `target`, by Back when the entry before this one is exactly `target` (closing what was opened). */
export function leaveTo(target: string): void {
  if ((window.history.state as EntryState | null)?.from === target) window.history.back();
  else navigate(target, { replace: true });
}

export { matchPath } from './paths.js';

/** Sets the document title for the page. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Production Board` : 'Production Board';
  }, [title]);
}
