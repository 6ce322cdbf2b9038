// indmap's map page: investor and planner views over indmap's own vector
// tiles, state kept in the URL. Plain ES module, no build step.
import * as maplibregl from "./vendor/maplibre-gl.mjs";
import { strings } from "./i18n.js";

const $ = (s) => document.querySelector(s);
const params = new URLSearchParams(location.search);
const embed = location.pathname === "/embed";
const state = {
  plan: params.get("plan") || "chongqing-2023",
  industry: params.get("industry") || "",
  unit: params.get("unit") || "",
  view: params.get("view") === "planner" ? "planner" : "investor",
  cluster: params.get("cluster") || "",
  lang: params.get("lang") === "en" ? "en" : "zh",
};
let map, plans = [], industries = [], units = [], hovered = null;
const t = (k) => strings[state.lang][k] ?? k;

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

async function getJSON(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

function saveState() {
  const p = new URLSearchParams();
  if (state.plan) p.set("plan", state.plan);
  if (state.industry) p.set("industry", state.industry);
  if (state.unit) p.set("unit", state.unit);
  if (state.cluster) p.set("cluster", state.cluster);
  if (state.view === "planner") p.set("view", "planner");
  if (state.lang === "en") p.set("lang", "en");
  history.replaceState(null, "", `${location.pathname}?${p}`);
}

function translate() {
  document.documentElement.lang = state.lang === "en" ? "en" : "zh-CN";
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll("[data-tp]")) el.placeholder = t(el.dataset.tp);
  $("#lang").textContent = state.lang === "en" ? "中文" : "English";
  $("#view-toggle").textContent = state.view === "planner" ? t("investorView") : t("plannerView");
}

function tileURL() {
  const q = state.industry ? `?industry=${encodeURIComponent(state.industry)}` : "";
  return `${location.origin}/tiles/${state.plan}/{z}/{x}/{y}.mvt${q}`;
}

async function loadPlan() {
  const plan = plans.find((p) => p.id === state.plan) || plans[0];
  state.plan = plan.id;
  const [ind, fc] = await Promise.all([
    getJSON(`/api/v1/industries?plan=${state.plan}`),
    getJSON(`/api/v1/plans/${state.plan}/units?limit=1000&simplify=3000`),
  ]);
  industries = ind.industries;
  units = fc.features;
  if (state.industry && !industries.some((i) => i.code === state.industry)) state.industry = "";
  fillIndustries();
  fillUnits();
  fillClusters(plan);
  const style = await getJSON(`/styles/${state.plan}.json`);
  if (!map) {
    map = new maplibregl.Map({
      container: "map", style, attributionControl: { compact: true },
      localIdeographFontFamily: "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif",
      bounds: bounds(units), fitBoundsOptions: { padding: 20 },
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    window.indmap.map = map;
    map.on("mousemove", "units-fill", hover);
    map.on("mouseleave", "units-fill", () => setHover(null));
    map.on("click", "units-fill", (e) => select(e.features[0].properties.code));
    map.on("click", "zones", (e) => select(e.features[0].properties.code));
    map.on("error", (e) => { window.indmap.errors.push(String(e.error?.message || e.error)); console.error("map:", e.error?.message || e.error); });
    map.once("idle", () => {
      window.indmap.ready = true;
      // Tell an embedding page the map is ready, with what it shows.
      if (window.parent !== window) {
        const n = map.querySourceFeatures("indmap", { sourceLayer: "units" }).length;
        window.parent.postMessage({ indmap: "ready", plan: state.plan, industry: state.industry, features: n }, "*");
      }
    });
  } else {
    map.setStyle(style);
    map.fitBounds(bounds(units), { padding: 20, duration: 0 });
  }
  map.once("styledata", applyFilters);
  applyFilters();
}

function bounds(features) {
  let b = [180, 90, -180, -90];
  for (const f of features) {
    const bb = featureBounds(f);
    if (!bb) continue;
    b = [Math.min(b[0], bb[0]), Math.min(b[1], bb[1]), Math.max(b[2], bb[2]), Math.max(b[3], bb[3])];
  }
  return [[b[0], b[1]], [b[2], b[3]]];
}

function featureBounds(f) {
  const g = f.geometry;
  if (!g) return null;
  let b = [180, 90, -180, -90];
  const add = (c) => { b = [Math.min(b[0], c[0]), Math.min(b[1], c[1]), Math.max(b[2], c[0]), Math.max(b[3], c[1])]; };
  if (g.type === "Point") add(g.coordinates);
  else for (const poly of g.coordinates) for (const ring of poly) for (const c of ring) add(c);
  return b;
}

function fillIndustries() {
  const sel = $("#industry");
  sel.innerHTML = `<option value="">${esc(t("allIndustries"))}</option>`;
  const tiers = new Map();
  for (const i of industries) {
    if (!tiers.has(i.tier_name)) tiers.set(i.tier_name, []);
    tiers.get(i.tier_name).push(i);
  }
  for (const [tier, list] of tiers) {
    const g = document.createElement("optgroup");
    g.label = tier;
    for (const i of list) g.append(new Option(`${i.name}`, i.code));
    sel.append(g);
  }
  sel.value = state.industry;
  $("#industry-list").innerHTML = industries.map((i) => `<option value="${esc(i.name)}">`).join("");
}

function fillUnits() {
  $("#unit-list").innerHTML = units.map((f) => `<option value="${esc(f.properties.name)}">`).join("");
}

function fillClusters(plan) {
  const box = $("#cluster-box");
  box.hidden = plan.kind !== "clusters";
  const seen = new Map();
  for (const f of units) for (const c of f.properties.clusters || []) seen.set(c.name, c.hosts);
  const sel = $("#cluster");
  sel.innerHTML = `<option value="">${esc(t("noCluster"))}</option>` +
    [...seen.keys()].sort().map((n) => `<option>${esc(n)}</option>`).join("");
  sel.value = state.cluster;
  window.indmap.clusters = seen;
}

function applyFilters() {
  if (!map || !map.getSource("indmap")) return;
  map.getSource("indmap").setTiles([tileURL()]);
  const highlight = [];
  if (state.unit) highlight.push(state.unit);
  if (state.cluster && window.indmap.clusters?.get(state.cluster)) highlight.push(...window.indmap.clusters.get(state.cluster));
  map.setFilter("units-highlight", ["in", ["get", "code"], ["literal", highlight]]);
  map.setLayoutProperty("units-violations", "visibility", state.view === "planner" ? "visible" : "none");
  renderLegend();
  saveState();
}

function renderLegend() {
  const ind = industries.find((i) => i.code === state.industry);
  if (!ind) {
    $("#legend").innerHTML = `<h2>${esc(plans.find((p) => p.id === state.plan)?.title)}</h2>`;
    $("#sites").hidden = true;
    return;
  }
  const row = (cls, colour, label, n) =>
    `<div class="legend-row"><span class="swatch" style="background:${colour}"></span>${esc(label)} <span class="muted">${n} ${esc(t("units"))}</span></div>`;
  $("#legend").innerHTML = `<h2>${esc(ind.name)}</h2>` + row("main", "#c2410c", t("main"), ind.main_units) +
    row("special", "#fdba74", t("special"), ind.special_units) +
    row("none", "#e7e5e4", t("none"), Math.max(0, units.length - ind.main_units - ind.special_units));
  renderSites();
}

async function renderSites() {
  if (state.view !== "investor" || !state.industry) { $("#sites").hidden = true; return; }
  const c = map.getCenter();
  const r = await getJSON(`/api/v1/plans/${state.plan}/sites?industry=${encodeURIComponent(state.industry)}&near=${c.lng.toFixed(4)},${c.lat.toFixed(4)}&limit=50`);
  $("#sites").hidden = false;
  $("#sites").innerHTML = `<h2>${esc(t("sites"))}</h2><div class="list">` + r.sites.map((s, i) =>
    `<button type="button" data-code="${esc(s.code)}">${i + 1}. ${esc(s.name)} <span class="role-${s.role}">${esc(t(s.role))}</span>` +
    `${s.distance_km != null ? ` <span class="muted">${s.distance_km} km</span>` : ""}</button>`).join("") + "</div>";
}

function hover(e) {
  if (e.features.length) setHover(e.features[0].id);
  map.getCanvas().style.cursor = "pointer";
}

function setHover(id) {
  if (hovered !== null) map.setFeatureState({ source: "indmap", sourceLayer: "units", id: hovered }, { hover: false });
  hovered = id;
  if (id !== null && id !== undefined) map.setFeatureState({ source: "indmap", sourceLayer: "units", id }, { hover: true });
  else map.getCanvas().style.cursor = "";
}

async function select(code, fly) {
  state.unit = code;
  applyFilters();
  const f = await getJSON(`/api/v1/units/${encodeURIComponent(code)}`);
  const p = f.properties;
  const inPlan = p.plans.find((x) => x.plan === state.plan) || p.plans[0];
  const list = (items) => items && items.length
    ? "<ul>" + items.map((i) => `<li>${esc(i.name)}${i.detail ? ` <span class="muted">（${esc(i.detail)}）</span>` : ""}` +
      (i.source ? ` <a href="${esc(i.source.startsWith("http") ? i.source : "#")}" target="_blank" rel="noopener">${esc(t("source"))}</a>` : "") + "</li>").join("") + "</ul>"
    : `<p class="muted">${esc(t("noIndustry"))}</p>`;
  let html = `<h2>${esc(p.name)}</h2><p class="muted">${esc(t(p.kind))}${p.area_km2 ? ` · ${t("area")} ${p.area_km2.toFixed(1)} ${t("km2")}` : ""}</p>`;
  if (inPlan) {
    if (inPlan.kind === "clusters") {
      html += `<h3>${esc(t("clusters"))}</h3>` + list((inPlan.clusters || []).map((c) => ({ name: c.name, detail: c.level, source: c.source })));
    } else {
      html += `<h3>${esc(t("main"))}</h3>` + list(inPlan.main) + `<h3>${esc(t("special"))}</h3>` + list(inPlan.special);
    }
    if (inPlan.violations.length) html += `<p class="sev-error">${esc(t("violations"))}: ${inPlan.violations.map(esc).join(", ")}</p>`;
  }
  if (p.neighbours.length) html += `<h3>${esc(t("neighbours"))}</h3><p>${p.neighbours.map((n) => esc(n.name)).join("、")}</p>`;
  if (p.approximate) {
    html += `<h3>${esc(t("hosts"))}</h3><p>${p.hosts.map((h) => esc(units.find((u) => u.id === h)?.properties.name || h)).join("、")}</p><p class="muted">${esc(t("approximate"))}</p>`;
  }
  $("#panel").hidden = false;
  $("#panel").innerHTML = html;
  if (fly) flyTo(code);
}

function flyTo(code) {
  const f = units.find((u) => u.id === code);
  const b = f && featureBounds(f);
  if (!b) return;
  if (b[0] === b[2]) map.flyTo({ center: [b[0], b[1]], zoom: 10 });
  else map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 40, maxZoom: 11 });
}

async function renderPlanner() {
  $("#planner").hidden = state.view !== "planner";
  if (state.view !== "planner") return;
  const r = await getJSON(`/api/v1/plans/${state.plan}/validation`);
  $("#violations").innerHTML = reportHTML(r);
}

function reportHTML(r) {
  const byRule = new Map();
  for (const v of r.violations) {
    if (!byRule.has(v.rule)) byRule.set(v.rule, []);
    byRule.get(v.rule).push(v);
  }
  let html = `<p class="${r.valid ? "" : "sev-error"}">${esc(r.valid ? t("valid") : t("invalid"))}: ${r.errors} ${esc(t("errors"))}, ${r.warnings} ${esc(t("warnings"))}</p>`;
  for (const [rule, vs] of byRule) {
    html += `<h3><span class="sev-${vs[0].severity}">${esc(rule)}</span> (${vs.length})</h3><div class="list">` +
      vs.map((v) => `<button type="button" data-code="${esc(v.units[0] || "")}">${esc(v.message)}</button>`).join("") + "</div>";
  }
  return html;
}

async function validateFile(file) {
  const r = await fetch(`/api/v1/plans/${state.plan}/validate`, { method: "POST", body: await file.text(), headers: { "Content-Type": "text/csv" } });
  const body = await r.json();
  if (!r.ok) { $("#file-result").innerHTML = `<p class="sev-error">${esc(body.detail)}</p>`; return; }
  $("#file-result").innerHTML = reportHTML(body);
  const bad = [...new Set(body.violations.filter((v) => v.severity === "error").flatMap((v) => v.units))];
  map.setFilter("units-highlight", ["in", ["get", "code"], ["literal", bad]]);
}

function openEmbed() {
  const q = new URLSearchParams({ plan: state.plan });
  if (state.industry) q.set("industry", state.industry);
  if (state.view === "planner") q.set("view", "planner");
  $("#embed-code").value = `<iframe src="${location.origin}/embed?${q}" width="800" height="600" style="border:0" title="indmap" loading="lazy"></iframe>`;
  $("#embed-tilejson").value = `${location.origin}/tiles/${state.plan}.json`;
  $("#embed-style").value = `${location.origin}/styles/${state.plan}.json`;
  $("#embed-dialog").showModal();
}

function wire() {
  $("#plan").addEventListener("change", async (e) => {
    state.plan = e.target.value; state.industry = ""; state.unit = ""; state.cluster = "";
    $("#panel").hidden = true;
    await loadPlan();
    renderPlanner();
  });
  $("#industry").addEventListener("change", (e) => { state.industry = e.target.value; applyFilters(); });
  $("#industry-search").addEventListener("change", (e) => {
    const i = industries.find((x) => x.name === e.target.value || x.code === e.target.value);
    if (i) { state.industry = i.code; $("#industry").value = i.code; applyFilters(); }
  });
  $("#cluster").addEventListener("change", (e) => { state.cluster = e.target.value; applyFilters(); });
  $("#unit-search").addEventListener("change", (e) => {
    const f = units.find((u) => u.properties.name === e.target.value || u.id === e.target.value);
    if (f) select(f.id, true);
  });
  const clickList = (e) => { const b = e.target.closest("button[data-code]"); if (b && b.dataset.code) select(b.dataset.code, true); };
  $("#sites").addEventListener("click", clickList);
  $("#violations").addEventListener("click", clickList);
  $("#file-result").addEventListener("click", clickList);
  $("#file").addEventListener("change", (e) => e.target.files[0] && validateFile(e.target.files[0]));
  $("#view-toggle").addEventListener("click", () => {
    state.view = state.view === "planner" ? "investor" : "planner";
    translate(); applyFilters(); renderPlanner();
  });
  $("#lang").addEventListener("click", () => { state.lang = state.lang === "en" ? "zh" : "en"; translate(); fillIndustries(); renderLegend(); saveState(); });
  $("#embed-open").addEventListener("click", openEmbed);
}

async function main() {
  window.indmap = { state, ready: false, errors: [], select, setIndustry: (c) => { state.industry = c; $("#industry").value = c; applyFilters(); } };
  if (embed) document.body.classList.add("embed");
  translate();
  plans = (await getJSON("/api/v1/plans")).plans;
  $("#plan").innerHTML = plans.map((p) => `<option value="${esc(p.id)}">${esc(p.title)}</option>`).join("");
  $("#plan").value = state.plan;
  wire();
  await loadPlan();
  if (state.unit) select(state.unit);
  renderPlanner();
}

main().catch((e) => { console.error(e); document.body.insertAdjacentHTML("afterbegin", `<p class="sev-error">${esc(e.message)}</p>`); });
