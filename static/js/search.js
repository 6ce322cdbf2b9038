// Search as people type: units, industries, clusters and economic
// circles by part of their Chinese name, pinyin or English name (璧山,
// bishan, Bishan District), units also by their own wording of a pick
// (零部件), with feedback when nothing matches. A unit found becomes the
// ranking's origin; an industry colours the map; a cluster or circle is
// shown and framed; a result of another plan opens that plan.
import { state, set, emit, on, off, quietly } from "./state.js";
import { $, esc } from "./dom.js";
import { t, nameOf, planTitle } from "./i18n.js";
import * as api from "./api.js";

let results = [];
let active = -1;
let timer = 0;
let inflight = null;

const input = () => $("#search");
const list = () => $("#search-results");

function close() {
  list().hidden = true;
  input().setAttribute("aria-expanded", "false");
  input().removeAttribute("aria-activedescendant");
  active = -1;
}

function show(q) {
  const ul = list();
  const status = $("#search-status");
  if (!results.length) {
    ul.innerHTML = "";
    close();
    status.textContent = t("noMatch", q);
    status.hidden = false;
    return;
  }
  status.hidden = true;
  status.textContent = "";
  ul.innerHTML = results.map((r, i) => `<li role="option" id="sr-${i}" data-i="${i}" aria-selected="${i === active}">` +
    `${esc(nameOf(r))} <span class="muted">${esc(describe(r))}</span>` +
    (r.source ? ` <span class="muted source" title="${esc(`${t("placeSource")} ${r.source}`)}">${esc(r.source.split(" (")[0])}</span>` : "") + "</li>").join("");
  ul.hidden = false;
  input().setAttribute("aria-expanded", "true");
}

// describe says what a result is: its kind, where it is (for units of
// one name), the wording it was found by, and the plan holding it when
// that is not the plan shown.
function describe(r) {
  const place = r.kind === "place" ? t("placeResult") : `${t(r.kind) || r.kind} · ${t("placeNamed")}`;
  const kind = { unit: t(r.kind) || t("unitResult"), industry: t("industryResult"), cluster: t("clusterResult"), region: t("region"), place }[r.type];
  const parts = [kind];
  if (r.type === "unit" && r.parent_name) parts.push(state.lang === "en" ? r.parent_name_en || r.parent_name : r.parent_name);
  if (r.matched_text) parts.push(`${t("detail")}: ${state.lang === "en" && r.matched_text_en ? r.matched_text_en : r.matched_text}`);
  if (r.other_plans?.length) {
    const p = state.plans.find((x) => x.id === r.other_plans[0]);
    parts.push(t("inPlan", p ? planTitle(p) : r.other_plans[0]));
  }
  return parts.join(" · ");
}

async function query(q) {
  inflight?.abort();
  inflight = new AbortController();
  try {
    const r = await api.search(q, state.plan, inflight.signal);
    if (input().value.trim() !== q) return;
    results = r.results;
    active = -1;
    show(q);
  } catch (e) {
    if (e.name !== "AbortError") console.error("search:", e);
  }
}

// within are the units a searched unit's label point lies in, for a
// published map's distances: the unit (a zone is a point, containing
// nothing) and its parents in the plan (a county's city).
function within(r) {
  if (r.kind === "zone") return [];
  const inPlan = new Map((state.theme?.units || []).map((u) => [u.code, u]));
  const out = [r.code];
  for (let p = r.parent; p && inPlan.has(p) && !out.includes(p); p = inPlan.get(p).parent) out.push(p);
  return out;
}

// showFound shows a unit, cluster or circle found, in the plan shown.
function showFound(r) {
  if (r.type === "industry") return set({ industry: r.code });
  if (r.type === "place") {
    // A point typed: the ranking's origin, the ranking kept in view.
    set({ origin: { lngLat: r.label, place: nameOf(r) } });
    return emit("frame", { point: r.label });
  }
  if (r.type === "cluster") {
    set({ industry: r.industry, cluster: r.code, unit: "", region: "" });
    return emit("frame", { bbox: r.bbox, point: r.label });
  }
  if (r.type === "region") {
    set({ region: r.code, unit: "", cluster: "" });
    return emit("frame", { bbox: r.bbox, point: r.label });
  }
  // A unit found by its wording of a pick shows that industry.
  if (r.matched_text && r.industry) set({ industry: r.industry });
  // A unit searched for is where distances are measured from.
  set({ origin: r.label ? { lngLat: r.label, code: r.code, inside: within(r) } : state.origin });
  emit("select", { code: r.code, fly: true, bbox: r.bbox, point: r.label });
}

function choose(r) {
  if (!r) return;
  close();
  input().value = nameOf(r);
  $("#search-status").hidden = true;
  if (!r.other_plans?.length) return showFound(r);
  // Another plan's: open it, then show the result once its data is in.
  const loaded = (keys) => {
    if (!keys.has("theme") || state.plan !== r.other_plans[0]) return;
    off("change", loaded);
    quietly(() => showFound(r));
  };
  on("change", loaded);
  set({ plan: r.other_plans[0], industry: "", unit: "", cluster: "", region: "" });
}

function move(d) {
  if (!results.length) return;
  active = (active + d + results.length) % results.length;
  for (const li of list().children) li.setAttribute("aria-selected", String(Number(li.dataset.i) === active));
  input().setAttribute("aria-activedescendant", `sr-${active}`);
}

export function wire() {
  input().addEventListener("input", () => {
    clearTimeout(timer);
    const q = input().value.trim();
    if (!q) {
      results = [];
      close();
      $("#search-status").hidden = true;
      return;
    }
    $("#search-status").textContent = t("searching");
    timer = setTimeout(() => query(q), 120);
  });
  input().addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (e.key === "Enter") { e.preventDefault(); choose(results[active >= 0 ? active : 0]); }
    else if (e.key === "Escape") close();
  });
  list().addEventListener("mousedown", (e) => {
    // mousedown, not click: the input's blur would close the list first.
    const li = e.target.closest("li[data-i]");
    if (li) { e.preventDefault(); choose(results[Number(li.dataset.i)]); }
  });
  input().addEventListener("blur", () => setTimeout(close, 150));
}
