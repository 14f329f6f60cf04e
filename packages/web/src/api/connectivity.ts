/**
 * Whether the server can be reached, from two witnesses: API calls that fail on the network, and
 * the live stream's state. The app shows a banner while either says the connection is down.
 */
type Listener = (online: boolean) => void;

const listeners = new Set<Listener>();
let apiDown = false;
let liveDown = false;

function notify() {
  const online = !apiDown && !liveDown;
  for (const listener of listeners) listener(online);
}

/** True while nothing reports a lost connection. */
export function isOnline(): boolean {
  return !apiDown && !liveDown;
}

/** An API call reached the server (true) or failed on the network (false). */
export function reportApi(reached: boolean): void {
  if (apiDown === !reached) return;
  apiDown = !reached;
  notify();
}

/** The live stream is open (true) or trying to reconnect (false). */
export function reportLive(open: boolean): void {
  if (liveDown === !open) return;
  liveDown = !open;
  // A stream that came back proves the server is reachable again.
  if (open) apiDown = false;
  notify();
}

/** Calls `listener` on every change; returns the unsubscribe function. */
export function onConnectivity(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
