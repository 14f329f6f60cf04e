/**
 * Whether the server can be reached, from two witnesses: API calls that fail on the network, and
 * the live stream's state. The app shows a banner while either says the connection is down. A
 * failed API call is not followed by another on its own, so while the API is reported down the
 * server's health is probed (with a growing pause) until it answers: the banner and page errors
 * must not outlive the outage just because nobody clicked anything.
 */
type Listener = (online: boolean) => void;

const listeners = new Set<Listener>();
let apiDown = false;
let liveDown = false;

const FIRST_PROBE_MS = 1000;
const MAX_PROBE_MS = 30_000;
let probeTimer: ReturnType<typeof setTimeout> | undefined;
let probeDelay = FIRST_PROBE_MS;

function notify() {
  const online = !apiDown && !liveDown;
  for (const listener of listeners) listener(online);
}

/** Asks the server's health endpoint (no auth) until it answers, then reports the API reachable. */
function probeSoon(delay = probeDelay): void {
  clearTimeout(probeTimer);
  probeTimer = setTimeout(() => {
    probeTimer = undefined;
    fetch('/xapi2/health', { cache: 'no-store' })
      .then(() => reportApi(true))
      .catch(() => {
        probeDelay = Math.min(probeDelay * 2, MAX_PROBE_MS);
        if (apiDown) probeSoon();
      });
  }, delay);
}

// The browser knows when the network returns; check at once instead of waiting for the next probe.
if (typeof window !== 'undefined') window.addEventListener('online', () => apiDown && probeSoon(0));

/** True while nothing reports a lost connection. */
export function isOnline(): boolean {
  return !apiDown && !liveDown;
}

/** An API call reached the server (true) or failed on the network (false). */
export function reportApi(reached: boolean): void {
  if (apiDown === !reached) return;
  apiDown = !reached;
  if (apiDown) {
    probeDelay = FIRST_PROBE_MS;
    probeSoon();
  } else {
    clearTimeout(probeTimer);
  }
  notify();
}

/** The live stream is open (true) or trying to reconnect (false). */
export function reportLive(open: boolean): void {
  if (liveDown === !open) return;
  liveDown = !open;
  // A stream that came back proves the server is reachable again.
  if (open) {
    apiDown = false;
    clearTimeout(probeTimer);
  }
  notify();
}

/** Calls `listener` on every change; returns the unsubscribe function. */
export function onConnectivity(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Calls `listener` each time the connection comes back after being down (to retry what failed). */
export function onReconnect(listener: () => void): () => void {
  let wasOnline = isOnline();
  return onConnectivity((online) => {
    if (online && !wasOnline) listener();
    wasOnline = online;
  });
}
