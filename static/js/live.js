// Live updates: the server announces each data version (Server-Sent
// Events); the page re-reads a plan's thematic data when its content tag
// moves, and the tiles only when the geometry does.
import { state, emit } from "./state.js";

let geometry = "";

export function start() {
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
