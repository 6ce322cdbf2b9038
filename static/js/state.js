// The page's one mutable state, owned by this module: what the URL says
// (plan, industry, unit, view, cluster, region, language, origin, the
// map's centre and zoom) and what was loaded for it. Other modules read
// it freely but change it only through set(), which keeps the URL in
// step (a choice is a new history entry, so Back and Forward walk
// through them; moving the map only rewrites the current one) and tells
// listeners what changed.

const views = ["investor", "matrix", "planner"];

// lonLat reads "LON,LAT" (a URL's origin or center), null if not one.
function lonLat(s) {
  const m = /^(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(s || "");
  if (!m) return null;
  const p = [Number(m[1]), Number(m[2])];
  return Math.abs(p[0]) <= 180 && Math.abs(p[1]) <= 90 ? p : null;
}

// fromURL is what a URL's query says of the state.
function fromURL(search) {
  const params = new URLSearchParams(search);
  const origin = lonLat(params.get("origin"));
  const center = lonLat(params.get("center"));
  const z = Number(params.get("z"));
  return {
    plan: params.get("plan") || "chongqing-2023",
    // As asked for: a code, or (from an embed URL) a name; resolved
    // against the catalogue once it is loaded.
    industry: params.get("industry") || "",
    unit: params.get("unit") || "",
    view: views.includes(params.get("view")) ? params.get("view") : "investor",
    cluster: params.get("cluster") || "",
    region: params.get("region") || "",
    lang: params.get("lang") === "en" ? "en" : "zh",
    // Where distances are measured from: {lngLat: [lon, lat], label};
    // only ever set by the user (a click on the map, a searched unit, a
    // shared link).
    origin: origin ? { lngLat: origin, shared: true } : null,
    // The map's view, when the URL gives one: {center, zoom}.
    camera: center && params.get("z") !== null && Number.isFinite(z) && z >= 0 && z <= 22 ? { center, zoom: z } : null,
  };
}

export const state = {
  embed: location.pathname === "/embed",
  ...fromURL(location.search),
  // Loaded: plans, the plan's catalogue, TileJSON and map style (in the
  // page's language; its metadata has the colours), its thematic data
  // (theme: the stored plan) and the planner's draft (null when none).
  plans: [],
  catalogue: [],
  tilejson: null,
  style: null,
  theme: null,
  draft: null,
  // The plan's economic circles (Shandong's): name → member unit codes,
  // and the point each is named at.
  groups: { plan: "", members: new Map(), points: new Map(), en: new Map() },
  // The industry or plan the URL named but the data does not know.
  unknownIndustry: "",
  unknownPlan: "",
};

// The keys a URL holds; choosing any but the camera is a history entry.
const inURL = ["plan", "industry", "unit", "cluster", "region", "view", "lang", "origin", "camera"];

const fixed = (v) => Number(v.toFixed(5));

function saveURL(push) {
  const p = new URLSearchParams();
  p.set("plan", state.plan);
  for (const k of ["industry", "unit", "cluster", "region"]) if (state[k]) p.set(k, state[k]);
  if (state.view !== "investor") p.set("view", state.view);
  if (state.lang === "en") p.set("lang", "en");
  if (state.origin?.lngLat) p.set("origin", state.origin.lngLat.map(fixed).join(","));
  if (state.camera) {
    p.set("center", state.camera.center.map(fixed).join(","));
    p.set("z", String(Math.round(state.camera.zoom * 100) / 100));
  }
  const url = `${location.pathname}?${p}`;
  if (url === `${location.pathname}${location.search}`) return;
  // The entry keeps the origin as chosen (a searched place's name),
  // which the URL's coordinates alone do not say.
  const entry = { origin: state.origin };
  if (push) history.pushState(entry, "", url);
  else history.replaceState(entry, "", url);
}

// sameOrigin: two origins at one point to the URL's precision.
const sameOrigin = (a, b) => !!a?.lngLat && !!b?.lngLat && String(a.lngLat.map(fixed)) === String(b.lngLat.map(fixed));

// Back and Forward restore what the URL they reach says, the origin as
// the entry kept it; the page redraws as for any change, without a new
// entry.
addEventListener("popstate", (e) => {
  const next = fromURL(location.search);
  const kept = e.state?.origin;
  const origin = sameOrigin(state.origin, next.origin) ? state.origin : sameOrigin(kept, next.origin) ? kept : next.origin;
  set({ ...next, origin }, { history: false });
});

const listeners = new Map();

// on registers fn for an event: "change" (with the changed keys), or a
// module's own events (see emit calls).
export function on(event, fn) {
  if (!listeners.has(event)) listeners.set(event, new Set());
  listeners.get(event).add(fn);
}

// off removes a listener on registered.
export function off(event, fn) {
  listeners.get(event)?.delete(fn);
}

export function emit(event, detail) {
  for (const fn of listeners.get(event) || []) {
    try {
      fn(detail);
    } catch (e) {
      console.error(`${event}:`, e);
    }
  }
}

// set changes the state, keeps the URL in step and announces the keys
// that really changed. A choice (any key of the URL but the camera)
// makes a history entry unless opts.history is false.
export function set(patch, opts = {}) {
  const changed = [];
  for (const [k, v] of Object.entries(patch)) {
    if (state[k] !== v) {
      state[k] = v;
      changed.push(k);
    }
  }
  if (!changed.length) return;
  if (changed.some((k) => inURL.includes(k))) {
    saveURL(quiet === 0 && opts.history !== false && changed.some((k) => inURL.includes(k) && k !== "camera"));
  }
  emit("change", new Set(changed));
}

// quietly runs fn with the choices it makes written into the current
// history entry: the steps of one choice of the user's (another plan's
// search result, shown once that plan is in) are one entry for Back.
let quiet = 0;
export function quietly(fn) {
  quiet++;
  try {
    fn();
  } finally {
    quiet--;
  }
}

export { saveURL };
