// Site ranking for the chosen industry, as "对口、首谈" reads: main
// before special, then units whose neighbours hold it too, then — only
// once the user has chosen an origin — the nearest. The criteria are
// stated above the list; the order is the server's, stable.
import { state, set, emit } from "./state.js";
import { $, esc, sourceLink, detailHTML } from "./dom.js";
import { t, nameOf, joinList } from "./i18n.js";
import * as api from "./api.js";
import { industryOf, isClusters } from "./colouring.js";

let token = 0;
let framed = ""; // the plan and industry last framed (phones)
let ranked = ""; // the origin the ranking was last shown from (phones)

// originLabel names the origin in the current language: the searched
// unit or place, the point clicked, or a link's point by its
// coordinates (and the unit it falls in).
export function originLabel() {
  const o = state.origin;
  const u = o && state.theme?.units.find((x) => x.code === o.code);
  if (o?.place) return o.place;
  const point = o?.shared ? t("pointAt", o.lngLat) : t("clickedPoint");
  if (o?.clicked || o?.shared) return u ? `${point} (${nameOf(u)})` : point;
  return u ? nameOf(u) : point;
}

// reasons says, in the page's language, why a site ranks where it does
// (the server's reasons: role, neighbours holding the industry, the
// straight-line distance from the origin).
function reasons(s) {
  const r = s.reasons || {};
  const parts = [roleName(r.role || s.role)];
  parts.push(r.neighbours_holding ? t("reasonNeighbours", r.neighbours_holding) : t("reasonNoNeighbours"));
  if (r.distance && state.origin) parts.push(r.distance.to === "inside" ? t("reasonInside") : t("reasonDistance", Math.round(r.distance.km)));
  return parts.join(" · ");
}

// roleName: a role in the plan's vocabulary (clusters plans rank
// national before provincial clusters).
const roleName = (r) => (isClusters() ? (r === "main" ? t("clusterMain") : t("clusterSpecial")) : t(r));

function row(s, i, all) {
  const role = roleName(s.role);
  // Only the lesser role is spelled out beside a neighbour's name.
  const neighbours = joinList((s.neighbours || []).map((n) => `${nameOf(n)}${n.role === "special" ? ` (${roleName("special")})` : ""}`));
  const rank = s.rank || i + 1;
  const tied = all.some((o) => o !== s && o.rank === rank);
  return `<li class="site" data-code="${esc(s.code)}" data-rank="${rank}"><button type="button" class="site-name" data-unit="${esc(s.code)}">` +
    `<span class="rank"${tied ? ` title="${esc(t("tied"))}"` : ""}>${rank}${tied ? "=" : ""}</span> ${esc(nameOf(s))}</button> <span class="role role-${esc(s.role)}">${esc(role)}</span>` +
    `<div class="reasons">${esc(reasons(s))}</div>` +
    (s.detail ? `<div class="detail">${esc(t("detail"))}: ${detailHTML(s)}</div>` : "") +
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
  const tied = r.sites.some((x, i) => r.sites.some((o, j) => j !== i && o.rank === x.rank));
  const criteria = t(isClusters() ? "criteriaClusters" : "criteria") + (state.origin ? t("criteriaDistance", originLabel()) : t("criteriaNoDistance")) +
    (tied ? t("tiesNote") : "");
  el.innerHTML = `<h2>${esc(t("rankedFor", nameOf(ind)))}</h2><p class="criteria" id="criteria">${esc(criteria)}</p>` +
    (state.origin ? `<p class="origin">${esc(t("origin"))}: ${esc(originLabel())} <button type="button" id="clear-origin">${esc(t("clearOrigin"))}</button></p>` : "") +
    (r.sites.length ? `<ol class="sites">${r.sites.map((x, i, all) => row(x, i, all)).join("")}</ol>` : `<p class="muted">${esc(t("noSites"))}</p>`);
  el.hidden = false;
  // On a phone with the sheet open, a newly picked industry's holders
  // are framed in the map above the sheet.
  const key = `${state.plan}|${ind.code}`;
  if (key !== framed && r.sites.length && document.body.classList.contains("sheet-open") && matchMedia("(max-width: 700px)").matches) {
    const xs = r.sites.map((x) => x.label[0]), ys = r.sites.map((x) => x.label[1]);
    emit("frame", { bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], point: r.sites[0].label });
  }
  framed = key;
  // On a phone, a new origin opens the sheet on the ranking (it starts
  // far below the legend), the origin kept in sight above it.
  const from = state.origin ? String(state.origin.lngLat) : "";
  if (from && from !== ranked && matchMedia("(max-width: 700px)").matches) {
    emit("sheet", { open: true, reveal: state.origin.lngLat });
    el.scrollIntoView({ block: "start" });
  }
  ranked = from;
}


export function wire() {
  $("#sites").addEventListener("click", (e) => {
    if (e.target.id === "clear-origin") return set({ origin: null });
    const b = e.target.closest("button[data-unit]");
    if (b) emit("select", { code: b.dataset.unit, fly: true });
  });
}
