// Site ranking for the chosen industry, as "对口、首谈" reads: main
// before special, then units whose neighbours hold it too, then — only
// once the user has chosen an origin — the nearest. The criteria are
// stated above the list; the order is the server's, stable.
import { state, set, emit } from "./state.js";
import { $, esc, sourceLink } from "./dom.js";
import { t, nameOf, joinList } from "./i18n.js";
import * as api from "./api.js";
import { industryOf, isClusters } from "./colouring.js";

let token = 0;

// originLabel names the origin in the current language: the searched
// unit, or the point clicked (and the unit it fell in).
export function originLabel() {
  const o = state.origin;
  const u = o && state.theme?.units.find((x) => x.code === o.code);
  if (o?.clicked) return u ? `${t("clickedPoint")} (${nameOf(u)})` : t("clickedPoint");
  return u ? nameOf(u) : t("clickedPoint");
}

function row(s, i) {
  const role = isClusters() ? (s.role === "main" ? t("clusterMain") : t("clusterSpecial")) : t(s.role);
  const neighbours = joinList((s.neighbours || []).map((n) => `${nameOf(n)}${n.role === "special" ? ` (${t("special")})` : ""}`));
  return `<li class="site" data-code="${esc(s.code)}"><button type="button" class="site-name" data-unit="${esc(s.code)}">` +
    `<span class="rank">${i + 1}</span> ${esc(nameOf(s))}</button> <span class="role role-${esc(s.role)}">${esc(role)}</span>` +
    (s.distance_km != null && state.origin ? ` <span class="distance">${Math.round(s.distance_km)} ${esc(t("km"))}</span>` : "") +
    (s.detail ? `<div class="detail">${esc(t("detail"))}: ${esc(s.detail)}</div>` : "") +
    (neighbours ? `<div class="muted">${esc(t("neighboursHolding"))}: ${esc(neighbours)}</div>` : "") +
    ((s.sources || []).length ? `<div class="muted">${esc(t("sources"))}: ${s.sources.map((x) => sourceLink(x)).join(" ")}</div>` : "") +
    "</li>";
}

export async function render() {
  const el = $("#sites");
  const ind = industryOf(state.industry);
  const mine = ++token;
  if (state.view !== "investor" || !ind) {
    el.hidden = true;
    return;
  }
  let r;
  try {
    r = await api.sites(state.plan, ind.code, state.origin);
  } catch (e) {
    if (mine === token) el.innerHTML = `<p class="sev-error">${esc(t("loadFailed"))}${esc(e.message)}</p>`;
    return;
  }
  if (mine !== token) return;
  const criteria = t("criteria") + (state.origin ? t("criteriaDistance", originLabel()) : t("criteriaNoDistance"));
  el.innerHTML = `<h2>${esc(t("rankedFor", nameOf(ind)))}</h2><p class="criteria" id="criteria">${esc(criteria)}</p>` +
    (state.origin ? `<p class="origin">${esc(t("origin"))}: ${esc(originLabel())} <button type="button" id="clear-origin">${esc(t("clearOrigin"))}</button></p>` : "") +
    (r.sites.length ? `<ol class="sites">${r.sites.map(row).join("")}</ol>` : `<p class="muted">${esc(t("noSites"))}</p>`);
  el.hidden = false;
}

export function wire() {
  $("#sites").addEventListener("click", (e) => {
    if (e.target.id === "clear-origin") return set({ origin: null });
    const b = e.target.closest("button[data-unit]");
    if (b) emit("select", { code: b.dataset.unit, fly: true });
  });
}
