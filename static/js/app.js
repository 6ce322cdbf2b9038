// indmap's map page: boots the modules, and redraws what a change of
// state concerns. State lives in state.js; the map in map.js.
import { state, set, on } from "./state.js";
import { $, esc } from "./dom.js";
import { t, planTitle } from "./i18n.js";
import * as api from "./api.js";
import { colouring } from "./colouring.js";
import * as legend from "./legend.js";
import * as panel from "./panel.js";
import * as ranking from "./ranking.js";
import * as search from "./search.js";
import * as live from "./live.js";

// MapLibre is most of the page's weight: it loads while the plan's data
// is fetched, not before.
const mapModule = import("./map.js");
let map = null; // the map module, once loaded

// The views investors do not open first load when first opened: the
// matrix, the planner's workbench, the embed dialog.
const lazy = (path, wire) => {
  let mod = null;
  let loading = null;
  const get = () => (loading ||= import(path).then((m) => { mod = m; wire?.(m); return m; }));
  return { get, loaded: () => mod };
};
const matrix = lazy("./matrix.js", (m) => m.wire());
// Loaded after a unit's panel was drawn, the workbench adds its editor.
const workbench = lazy("./workbench.js", (m) => { m.wire(); panel.render(); });
const embed = lazy("./embed.js", (m) => m.wire());

function renderMatrix() {
  if (state.view === "matrix" || matrix.loaded()) matrix.get().then((m) => m.render());
}

function renderWorkbench() {
  if (state.view === "planner" || workbench.loaded()) workbench.get().then((m) => m.render());
}

// window.indmap is a read-only window on the page for tests and
// debugging; nothing reads it back.
const probe = { state, ready: false, firstRender: 0, hatched: 0, errors: [], tileLoads: 0, paints: 0 };
window.indmap = probe;

// translate puts the static texts of index.html in the page's language.
function translate() {
  document.documentElement.lang = state.lang === "en" ? "en" : "zh-CN";
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll("[data-tp]")) el.placeholder = t(el.dataset.tp);
  for (const el of document.querySelectorAll("[data-ta]")) el.setAttribute("aria-label", t(el.dataset.ta));
  $("#lang").textContent = t("langSwitch");
  for (const b of document.querySelectorAll("#views button")) b.setAttribute("aria-pressed", String(b.dataset.view === state.view));
  $("#plan").innerHTML = state.plans.map((p) => `<option value="${esc(p.id)}"${p.id === state.plan ? " selected" : ""}>${esc(planTitle(p))}</option>`).join("");
  document.title = `${planTitle(state.plans.find((p) => p.id === state.plan))} · ${t("title")}`;
}

// resolveIndustry reads an industry given by code or by name (Chinese or
// English), as embed URLs may; one the catalogue lacks is said so.
function resolveIndustry(asked, catalogue = state.catalogue) {
  if (!asked) return { industry: "", unknownIndustry: "" };
  const a = asked.trim().toLowerCase();
  const i = catalogue.find((x) => x.code.toLowerCase() === a || x.name.toLowerCase() === a || (x.name_en || "").toLowerCase() === a);
  return i ? { industry: i.code, unknownIndustry: "" } : { industry: "", unknownIndustry: asked };
}

function notice() {
  const el = $("#notice");
  const said = [state.unknownPlan && t("unknownPlan", state.unknownPlan), state.unknownIndustry && t("unknownIndustry", state.unknownIndustry)].filter(Boolean);
  el.hidden = !said.length;
  el.textContent = said.join(" ");
}

async function planData(id) {
  const [cat, theme, tilejson, style] = await Promise.all([api.industries(id), api.theme(id), api.tileJSON(id), api.style(id)]);
  return { catalogue: cat.industries, theme, tilejson, style };
}

// restyle fetches the plan's style in the page's language (labels).
// With replace (a published map's new archive), the map drops its
// tiles and draws the new source, colours applied again.
async function restyle({ replace } = {}) {
  const { plan, lang } = state;
  try {
    const style = await api.style(plan, lang);
    if (plan !== state.plan || lang !== state.lang) return;
    if (replace) map?.replaceStyle(style);
    set({ style });
  } catch (e) {
    console.error("style:", e);
  }
}

// loadGroups reads the plan's economic circles (Shandong's), after the
// first render: only clusters plans group their cities.
async function loadGroups() {
  const p = state.plans.find((x) => x.id === state.plan);
  if (state.groups.plan === state.plan || p?.kind !== "clusters") return;
  const plan = state.plan;
  const members = new Map();
  const centres = new Map();
  const en = new Map();
  try {
    for (const c of await api.cityGroups(plan)) {
      const g = c.group;
      if (!g) continue;
      if (!members.has(g)) { members.set(g, []); centres.set(g, []); }
      if (c.group_en) en.set(g, c.group_en);
      members.get(g).push(c.code);
      const b = c.bbox;
      if (b) centres.get(g).push([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]);
    }
  } catch (e) {
    console.error("economic circles:", e);
  }
  // A circle is named at the mean of its cities' centres.
  const points = new Map([...centres].filter(([, c]) => c.length).map(([g, c]) =>
    [g, [c.reduce((s, p) => s + p[0], 0) / c.length, c.reduce((s, p) => s + p[1], 0) / c.length]]));
  if (plan === state.plan) set({ groups: { plan, members, points, en } });
}

function highlights() {
  if (state.cluster) return legend.clusterHosts().get(state.cluster) || [];
  if (state.region) return state.groups.members.get(state.region) || [];
  return [];
}

// recolour applies the current colouring to map and legend (and the
// matrix, which shows the same holdings).
function recolour() {
  const col = colouring();
  legend.render(col);
  renderMatrix();
  if (!map) return;
  map.paint(col);
  probe.paints++;
  remark();
}

function remark() {
  if (!map) return;
  const m = workbench.loaded()?.marks() || { sev: new Map(), changed: new Set() };
  map.mark("sev", m.sev);
  map.mark("changed", m.changed);
  map.mark("selected", [state.unit]);
  map.mark("hl", highlights());
  map.showRegion(state.region);
}

// On a phone the plan picker sits in the menu at full width (in the
// header it was cut to a few characters).
const phone = matchMedia("(max-width: 700px)");
function placePlan() {
  const sel = $("#plan");
  if (phone.matches) $("#bar-more").prepend(sel);
  else $("#bar").insertBefore(sel, $("#search-box"));
}
phone.addEventListener("change", placePlan);

function layout() {
  placePlan();
  document.body.classList.toggle("embed", state.embed);
  // Embed codes name a server's URLs: a published map has none.
  $("#embed-open").hidden = Boolean(api.site);
  document.body.dataset.view = state.view;
  translate();
  notice();
}

async function switchPlan() {
  try {
    const data = await planData(state.plan);
    // The new style first: the colouring set next is applied to it.
    map?.showPlan(data.style, data.tilejson);
    // Part of the plan's choice: no history entry of its own.
    set({ ...data, draft: null, origin: null, ...resolveIndustry(state.industry, data.catalogue) }, { history: false });
    // The plan picker and the document's title name the new plan.
    translate();
    loadGroups();
  } catch (e) {
    fail(e);
  }
}

// onChange redraws what the changed keys concern.
function onChange(keys) {
  const any = (...k) => k.some((x) => keys.has(x));
  if (keys.has("plan")) return switchPlan();
  if (any("lang", "view", "embed")) layout();
  // The labels' language is the style's.
  if (keys.has("lang")) { restyle(); map?.localiseControls(); }
  if (keys.has("style")) map?.useStyle(state.style);
  if (any("theme", "catalogue", "draft", "industry", "lang", "view", "plans", "groups", "style")) recolour();
  else if (any("unit", "cluster", "region")) { remark(); legend.render(colouring()); }
  if (any("unit", "cluster", "region", "theme", "draft", "lang", "view", "groups")) panel.render();
  if (any("industry", "origin", "theme", "lang", "view", "catalogue")) ranking.render();
  if (any("view", "draft", "theme", "lang", "plan")) renderWorkbench();
  if (keys.has("origin")) map?.setOrigin(state.origin?.lngLat);
  if (keys.has("camera")) map?.applyCamera(state.camera);
  if (keys.has("groups")) map?.showRegionNames();
  if (keys.has("unit") && state.unit) {
    document.body.classList.add("sheet-open");
    $("#sheet-handle").setAttribute("aria-expanded", "true");
  }
}

async function select({ code, fly, bbox, point }) {
  set({ unit: code, cluster: "", region: "" });
  if (!fly || !map) return;
  if (bbox || point) return map.frame(bbox, point);
  try {
    const f = await panel.unitData(code);
    map.frame(panel.bboxOf(f), f.properties.label);
  } catch { /* the panel says it */ }
}

async function refreshTheme(tag) {
  try {
    const theme = await api.theme(state.plan, tag);
    if (theme.plan === state.plan) set({ theme });
  } catch (e) {
    console.error("theme:", e);
  }
}

function fail(e) {
  console.error(e);
  const el = $("#notice");
  el.hidden = false;
  el.textContent = `${t("loadFailed")}${e.message}`;
}

function wire() {
  on("change", onChange);
  on("select", select);
  on("frame", ({ bbox, point }) => map?.frame(bbox, point));
  // Units to show: framed unless every one is drawn in the view already.
  on("frame-units", async (codes) => {
    if (!map || map.allDrawn(codes)) return;
    const boxes = (await Promise.all(codes.map((c) => panel.unitData(c).then(panel.bboxOf, () => null)))).filter(Boolean);
    if (!boxes.length) return;
    map?.frame([Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])), Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3]))]);
  });
  on("sheet", ({ open, reveal }) => {
    document.body.classList.toggle("sheet-open", open);
    $("#sheet-handle").setAttribute("aria-expanded", String(open));
    if (reveal) map?.reveal(reveal);
  });
  on("export-view", async ({ print }) => {
    if (!probe.map) return;
    const view = await import("./exportview.js");
    if (print) return view.printView(probe.map);
    const r = await view.exportPNG(probe.map);
    probe.exported = { width: r.width, height: r.height, png: r.url };
  });
  on("map-click", ({ code, lngLat, region, inside }) => {
    // A click on the map is an origin for distances, as a searched unit is.
    const origin = { lngLat, code, inside, clicked: true };
    // The search box no longer names the origin.
    $("#search").value = "";
    if (code) set({ origin, unit: code, cluster: "", region: "" });
    else if (region) set({ origin, region, unit: "", cluster: "" });
    else set({ origin, unit: "" });
    if (code || region) map?.reveal(lngLat);
  });
  on("theme-stale", refreshTheme);
  on("written", () => refreshTheme());
  on("write-failed", (e) => workbench.loaded()?.reportFailure(e));
  on("geometry-changed", () => map?.reloadGeometry());
  on("style-stale", restyle);
  on("marks", remark);
  on("hatched", () => { probe.hatched ||= performance.now(); });
  $("#plan").addEventListener("change", (e) => set({ plan: e.target.value, industry: "", unit: "", cluster: "", region: "" }));
  $("#lang").addEventListener("click", () => set({ lang: state.lang === "en" ? "zh" : "en" }));
  $("#views").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-view]");
    if (b) set({ view: b.dataset.view });
    document.body.classList.remove("menu-open");
  });
  $("#menu").addEventListener("click", () => {
    const open = document.body.classList.toggle("menu-open");
    $("#menu").setAttribute("aria-expanded", String(open));
  });
  $("#sheet-handle").addEventListener("click", () => {
    const open = document.body.classList.toggle("sheet-open");
    $("#sheet-handle").setAttribute("aria-expanded", String(open));
    if (!open) map?.reveal(null);
  });
  legend.wire();
  panel.wire();
  ranking.wire();
  search.wire();
  $("#embed-open").addEventListener("click", () => embed.get().then((m) => m.open()));
}

async function main() {
  layout();
  const asked = state.plan;
  const [plans, data, mod] = await Promise.all([api.plans(), planData(asked).catch(() => null), mapModule]);
  // Nothing listens yet: set() only keeps the URL in step.
  set({ plans: plans.plans });
  let loaded = data;
  if (!state.plans.some((p) => p.id === asked)) {
    // An unknown plan is said so, and the first plan shown.
    set({ plan: state.plans[0].id, unknownPlan: asked }, { history: false });
    loaded = await planData(state.plan);
  }
  set({ ...loaded, ...resolveIndustry(state.industry, loaded.catalogue) }, { history: false });
  layout();
  wire();
  map = mod;
  const m = map.createMap($("#map"));
  probe.map = m;
  m.on("error", (e) => {
    const msg = String(e.error?.message || e.error);
    probe.errors.push(msg);
    console.error("map:", msg);
  });
  m.on("sourcedata", (e) => { if (e.tile && e.sourceId === "indmap") probe.tileLoads++; });
  recolour();
  map.setOrigin(state.origin?.lngLat);
  // A link naming a unit but no view frames the unit.
  if (state.unit && !state.camera) select({ code: state.unit, fly: true });
  m.once("idle", () => {
    probe.ready = true;
    probe.firstRender = performance.now();
    loadGroups();
    if (window.parent !== window) {
      // Tell an embedding page the map is drawn, and with what.
      const features = m.querySourceFeatures("indmap", { sourceLayer: "units" }).length;
      window.parent.postMessage({ indmap: "ready", plan: state.plan, industry: state.industry, unknownIndustry: state.unknownIndustry, features }, "*");
    }
  });
  panel.render();
  ranking.render();
  renderWorkbench();
  live.start();
}

main().catch(fail);
