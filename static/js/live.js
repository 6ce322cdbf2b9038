// Live updates. From a server: it announces each data version
// (Server-Sent Events); the page re-reads a plan's thematic data when its
// content tag moves, and the tiles only when the geometry does. From a
// published map: version.json is read again every minute and when the
// page comes back into view; what it names anew is re-read.
import { state, emit } from "./state.js";
import * as api from "./api.js";

let geometry = "";

// POLL_MS is how often a published map asks for version.json.
const POLL_MS = 60_000;

export function start() {
  if (api.site) return poll();
  if (!("EventSource" in window)) return;
  // EventSource reconnects by itself after a dropped connection.
  const es = new EventSource("/api/v1/events");
  es.addEventListener("version", (e) => {
    let v;
    try {
      v = JSON.parse(e.data);
    } catch {
      return;
    }
    if (geometry && v.geometry_version && v.geometry_version !== geometry) emit("geometry-changed");
    geometry = v.geometry_version || geometry;
    const tag = v.plans?.[state.plan];
    if (tag && state.theme && tag !== state.theme.tag) emit("theme-stale", tag);
  });
  addEventListener("pagehide", () => es.close());
}

function poll() {
  let busy = false;
  const check = async () => {
    if (busy) return;
    busy = true;
    const before = api.currentVersion()?.files?.[state.plan];
    try {
      const now = (await api.loadVersion()).files?.[state.plan];
      if (before && now) {
        // A new archive means new tiles: the style naming it is drawn
        // anew. A new theme recolours without a tile.
        if (now.style !== before.style || now.style_en !== before.style_en) emit("style-stale", { replace: now.tiles !== before.tiles });
        if (now.theme !== before.theme) emit("theme-stale", now.tag);
      }
    } catch (e) {
      console.warn("version.json:", e.message);
    } finally {
      busy = false;
    }
  };
  setInterval(check, POLL_MS);
  addEventListener("focus", check);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") check(); });
}
