// The legend: the plan, its coverage ("12 of 41 units have published
// picks"), what the colours mean with the number of units each colours,
// the industry picker (industries no unit holds are marked), and for
// clusters plans the cluster picker and the economic circles.
import { state, set, emit } from "./state.js";
import { $, esc } from "./dom.js";
import { t, nameOf, tierName, planTitle, kindName, groupName, clusterTitle } from "./i18n.js";
import { coverage, isClusters, currentPlan, holdings, roleIn, palette, colouring } from "./colouring.js";

export function coverageText(list = holdings()) {
  const c = coverage(list);
  if (!isClusters()) return t("coverage", c.total.assigned, c.total.units);
  return t("coverageKinds", c.kinds.map((k) => k.within
    ? t("coverageWithin", k.assigned, k.within, k.units, kindName(k.kind, true))
    : t("coverageKind", k.assigned, k.units, kindName(k.kind, true))));
}

// industryOptions: the catalogue grouped by tier, each with the number
// of units holding it (as coloured), "no unit" where none does.
function industryOptions(list) {
  const tiers = new Map();
  for (const i of state.catalogue) {
    const key = tierName(i) || "—";
    if (!tiers.has(key)) tiers.set(key, []);
    tiers.get(key).push(i);
  }
  let html = `<option value="">${esc(t("overview"))}</option>`;
  for (const [tier, inds] of tiers) {
    html += `<optgroup label="${esc(tier)}">` + inds.map((i) => {
      const n = list.filter((u) => roleIn(u, i.code)).length;
      const label = n ? `${nameOf(i)} (${t("holders", n)})` : `${nameOf(i)} — ${t("noHolder")}`;
      return `<option value="${esc(i.code)}"${n ? "" : ` class="empty-industry"`}${i.code === state.industry ? " selected" : ""}>${esc(label)}</option>`;
    }).join("") + "</optgroup>";
  }
  return html;
}

// clusterNames: each cluster of the plan with its hosts, from the
// thematic data (or the draft).
export function clusterHosts(list = holdings()) {
  const hosts = new Map();
  for (const u of list) for (const c of u.clusters || []) {
    if (!hosts.has(c)) hosts.set(c, []);
    hosts.get(c).push(u.code);
  }
  return hosts;
}

// chrome gives the page's own marks of roles and circles (swatches,
// ranking, matrix, chips) the style's colours, as CSS variables.
function chrome() {
  const c = palette();
  const root = document.documentElement.style;
  for (const [name, colour] of Object.entries({ main: c.main, special: c.special, border: c.border, region: c.region })) {
    root.setProperty(`--${name}`, colour);
  }
}

function swatch(c) {
  return `<span class="swatch${c.hatch ? " hatch" : ""}" style="background-color:${esc(c.colour)}"></span>`;
}

// collapsed: the embedded legend is folded (at first in a frame smaller
// than 720×520).
let collapsed = state.embed && (innerWidth < 720 || innerHeight < 520);

// render draws the legend for a colouring (see colouring.js), with the
// plan's economic circles when it has any.
export function render(col) {
  chrome();
  const side = $("#side");
  side.classList.toggle("collapsed", state.embed && collapsed);
  const groups = state.groups.plan === state.plan ? state.groups.members : null;
  const list = holdings();
  const p = currentPlan();
  // Embedded, the legend folds to a button (folded at first in a small
  // frame, so that it covers none of the map's units).
  let html = state.embed ? `<button type="button" id="legend-toggle" aria-expanded="${!collapsed}" aria-controls="legend">${esc(t("legend"))} ${collapsed ? "▸" : "▾"}</button>` : "";
  html += `<h2 id="plan-title">${esc(planTitle(p))}</h2>`;
  html += `<p id="coverage" class="coverage">${esc(coverageText(list))}</p>`;
  html += `<label class="pick"><span>${esc(t("colourBy"))}</span> <select id="industry">${industryOptions(list)}</select></label>`;
  if (isClusters()) {
    const names = [...clusterHosts(list).keys()].sort((a, b) => a.localeCompare(b, "zh"));
    html += `<label class="pick"><span>${esc(t("cluster"))}</span> <select id="cluster"><option value="">${esc(t("chooseCluster"))}</option>` +
      names.map((n) => `<option value="${esc(n)}"${n === state.cluster ? " selected" : ""}>${esc(clusterTitle(n))}</option>`).join("") + "</select></label>";
  }
  html += `<h3 id="legend-title">${esc(col.title)}</h3>`;
  if (col.note) html += `<p class="muted" id="legend-note">${esc(col.note)}</p>`;
  html += `<ul class="legend-rows">` + col.classes.map((c) =>
    `<li class="legend-row" data-key="${esc(c.key)}">${swatch(c)}<span>${esc(c.label)}</span> <span class="count">${c.count}</span></li>`).join("") + "</ul>";
  html += marksHTML(list);
  if (groups?.size) {
    html += `<h3>${esc(t("regions"))}</h3><div class="chips">` + [...groups.keys()].map((g) =>
      `<button type="button" class="chip${g === state.region ? " on" : ""}" data-region="${esc(g)}">${esc(groupName(g))}</button>`).join("") + "</div>";
  }
  if (!state.embed) {
    html += `<p class="view-exports"><button type="button" id="export-png">${esc(t("exportPNG"))}</button> ` +
      `<button type="button" id="print-view">${esc(t("printView"))}</button></p>`;
  }
  $("#legend").innerHTML = html;
}

// marksHTML explains the map's dots: zones (coloured by role, at an
// approximate point) where the plan has any, and named places.
function marksHTML(list) {
  const c = palette();
  const dot = (colour, cls) => `<span class="dot ${cls}" style="background-color:${esc(colour)}"></span>`;
  let rows = "";
  if (list.some((u) => u.kind === "zone")) rows += `<li class="legend-row mark-zone">${dot(c.zone, "zone")}<span>${esc(t("zoneMark"))}</span></li>`;
  if (c.place) rows += `<li class="legend-row mark-place">${dot(c.place, "place")}<span>${esc(t("placeMark"))}</span></li>`;
  if (c.river) rows += `<li class="legend-row mark-river"><span class="line river" style="background-color:${esc(c.river)}"></span><span>${esc(t("riverMark"))}</span></li>`;
  return rows ? `<ul class="legend-rows marks">${rows}</ul>` : "";
}

export function wire() {
  const legend = $("#legend");
  legend.addEventListener("change", (e) => {
    if (e.target.id === "industry") set({ industry: e.target.value });
    if (e.target.id === "cluster") {
      set({ cluster: e.target.value, unit: "", region: "" });
      // Its hosts shown: a county's cluster (兰考) is not drawn at the
      // province's zoom, where only cities are.
      if (state.cluster) emit("frame-units", clusterHosts().get(state.cluster) || []);
    }
  });
  legend.addEventListener("click", (e) => {
    if (e.target.closest("#export-png")) return emit("export-view", { print: false });
    if (e.target.closest("#print-view")) return emit("export-view", { print: true });
    if (e.target.closest("#legend-toggle")) {
      collapsed = !collapsed;
      return render(colouring());
    }
    const b = e.target.closest("button[data-region]");
    if (b) set({ region: b.dataset.region === state.region ? "" : b.dataset.region, unit: "", cluster: "" });
  });
}
