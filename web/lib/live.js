// Live fax updates: each watcher refreshes at once on a fax event from the SSE stream
// GET /api/v1/events (named events fax.queued, fax.sending, fax.page, ...), and also polls as
// a safety net: every 3 s while something it shows is in progress, every 15 s otherwise.
// Without the stream (an older faxd, a proxy that buffers) polling alone keeps pages live.
const ACTIVE_MS = 3000;
const IDLE_MS = 15000;
const EVENTS = ['fax.queued', 'fax.sending', 'fax.page', 'fax.delivered', 'fax.failed',
  'fax.receiving', 'fax.received', 'fax.canceled'];

const listeners = new Set();
let source = null;

function connect() {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/v1/events');
  const notify = () => { for (const l of listeners) l(); };
  for (const type of EVENTS) source.addEventListener(type, notify);
  source.addEventListener('error', () => {
    // A closed stream (no such endpoint, logged out) stays closed; polling goes on.
    if (source && source.readyState === EventSource.CLOSED) source = null;
  });
}

function disconnect() {
  if (source && listeners.size === 0) { source.close(); source = null; }
}

// refresh(): async, returns true while something it shows is in progress.
// Returns stop(); the caller stops it when its page goes away.
export function watch(refresh, initiallyActive = true) {
  let stopped = false;
  let timer = null;
  let running = false;
  const tick = async () => {
    if (stopped || running) return;
    running = true;
    clearTimeout(timer);
    let active = true;
    try { active = await refresh(); } catch { active = true; }
    running = false;
    if (!stopped) timer = setTimeout(tick, active ? ACTIVE_MS : IDLE_MS);
  };
  listeners.add(tick);
  connect();
  timer = setTimeout(tick, initiallyActive ? ACTIVE_MS : IDLE_MS);
  return () => { stopped = true; clearTimeout(timer); listeners.delete(tick); disconnect(); };
}
