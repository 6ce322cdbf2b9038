// The page's one mutable state, owned by this module: what the URL says
// (plan, industry, unit, view, cluster, region, language) and what was
// loaded for it. Other modules read it freely but change it only through
// set(), which keeps the URL in step and tells listeners what changed.

const params = new URLSearchParams(location.search);
const views = ["investor", "matrix", "planner"];

export const state = {
  embed: location.pathname === "/embed",
  plan: params.get("plan") || "chongqing-2023",
  // As asked for: a code, or (from an embed URL) a name; resolved
  // against the catalogue once it is loaded.
  industry: params.get("industry") || "",
  unit: params.get("unit") || "",
  view: views.includes(params.get("view")) ? params.get("view") : "investor",
  cluster: params.get("cluster") || "",
  region: params.get("region") || "",
  lang: params.get("lang") === "en" ? "en" : "zh",
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
  // Where distances are measured from: {lngLat: [lon, lat], label}; only
  // ever set by the user (a click on the map, or a searched unit).
  origin: null,
  // The industry the URL named but the catalogue does not know.
  unknownIndustry: "",
};

function saveURL() {
  const p = new URLSearchParams();
  p.set("plan", state.plan);
  for (const k of ["industry", "unit", "cluster", "region"]) if (state[k]) p.set(k, state[k]);
  if (state.view !== "investor") p.set("view", state.view);
  if (state.lang === "en") p.set("lang", "en");
  history.replaceState(null, "", `${location.pathname}?${p}`);
}

const listeners = new Map();

// on registers fn for an event: "change" (with the changed keys), or a
// module's own events (see emit calls).
export function on(event, fn) {
  if (!listeners.has(event)) listeners.set(event, new Set());
  listeners.get(event).add(fn);
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
// that really changed.
export function set(patch) {
  const changed = [];
  for (const [k, v] of Object.entries(patch)) {
    if (state[k] !== v) {
      state[k] = v;
      changed.push(k);
    }
  }
  if (!changed.length) return;
  saveURL();
  emit("change", new Set(changed));
}

export { saveURL };
