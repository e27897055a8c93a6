// Live fax updates. Today: polling, every 3 s while something shown is in progress and every
// 15 s otherwise (so new inbound faxes appear). /api/v1/events (SSE) does not exist yet; when
// it does, replace the body of watch() with an EventSource that calls refresh() on each fax.*
// event. Callers do not change.
const ACTIVE_MS = 3000;
const IDLE_MS = 15000;

// refresh(): async, returns true while something it shows is in progress.
// Returns stop(); the caller stops it when its page goes away.
export function watch(refresh, initiallyActive = true) {
  let stopped = false;
  let timer = null;
  const tick = async () => {
    if (stopped) return;
    let active = true;
    try { active = await refresh(); } catch { active = true; }
    if (!stopped) timer = setTimeout(tick, active ? ACTIVE_MS : IDLE_MS);
  };
  timer = setTimeout(tick, initiallyActive ? ACTIVE_MS : IDLE_MS);
  return () => { stopped = true; clearTimeout(timer); };
}
