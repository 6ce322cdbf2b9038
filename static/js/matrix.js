// The units × industries matrix, as the official map's table: units as
// rows, industries grouped by tier as columns, main and special marked.
// A row shows its unit on the map, a column its industry; CSV export.
import { state, set, emit } from "./state.js";
import { $, esc, download } from "./dom.js";
import { t, nameOf, tierName } from "./i18n.js";
import { holdings, roleIn, isClusters } from "./colouring.js";

// rows: every unit, except, in a plan of several levels, the lower
// units that hold nothing (137 empty Shandong counties say nothing).
function rows() {
  const list = holdings();
  const cities = list.some((u) => u.kind === "city");
  return list.filter((u) => !cities || u.kind === "city" || u.assigned);
}

function tiers() {
  const out = [];
  for (const i of state.catalogue) {
    const name = tierName(i) || "—";
    if (!out.length || out[out.length - 1].name !== name) out.push({ name, industries: [] });
    out[out.length - 1].industries.push(i);
  }
  return out;
}

function mark(role) {
  if (!role) return "";
  if (isClusters()) return role === "main" ? t("clusterMain") : t("clusterSpecial");
  return t(role);
}

function short(role) {
  if (!role) return "";
  return role === "main" ? t("mainShort") : t("specialShort");
}

export function render() {
  const el = $("#matrix");
  if (state.view !== "matrix") {
    el.hidden = true;
    return;
  }
  const groups = tiers();
  const units = rows();
  let head1 = `<th rowspan="2" scope="col" class="corner">${esc(t("units"))}</th>`;
  let head2 = "";
  for (const g of groups) {
    head1 += `<th scope="colgroup" colspan="${g.industries.length}" class="tier">${esc(g.name)}</th>`;
    for (const i of g.industries) {
      const n = units.filter((u) => roleIn(u, i.code)).length;
      head2 += `<th scope="col" class="ind${i.code === state.industry ? " on" : ""}${n ? "" : " empty-industry"}">` +
        `<button type="button" data-industry="${esc(i.code)}" title="${esc(nameOf(i))}">${esc(nameOf(i))}</button></th>`;
    }
  }
  const body = units.map((u) => {
    const cells = groups.flatMap((g) => g.industries).map((i) => {
      const role = roleIn(u, i.code);
      return `<td class="${role ? `cell-${role}` : ""}${i.code === state.industry ? " on" : ""}"${role ? ` title="${esc(mark(role))}"` : ""}>${esc(short(role))}</td>`;
    }).join("");
    return `<tr class="${u.code === state.unit ? "on" : ""}${u.assigned ? "" : " unassigned"}"><th scope="row">` +
      `<button type="button" data-unit="${esc(u.code)}">${esc(nameOf(u))}</button></th>${cells}</tr>`;
  }).join("");
  el.innerHTML = `<div class="matrix-head"><h2>${esc(t("matrixTitle"))}</h2>` +
    `<button type="button" id="matrix-csv">${esc(t("exportCSV"))}</button></div>` +
    `<p class="muted">${esc(t("matrixHelp"))} ${esc(t("mainShort"))} = ${esc(mark("main"))}, ${esc(t("specialShort"))} = ${esc(mark("special"))}</p>` +
    `<div class="matrix-scroll"><table class="matrix"><thead><tr>${head1}</tr><tr>${head2}</tr></thead><tbody>${body}</tbody></table></div>`;
  el.hidden = false;
}

// A cell a spreadsheet could read as a formula gets a leading quote.
const cell = (s) => {
  let v = String(s ?? "");
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
};

// csv is the matrix as CSV: one row per unit, one column per industry,
// each cell its role.
export function csv() {
  const inds = tiers().flatMap((g) => g.industries);
  const lines = [["unit_code", "unit_name", "unit_name_en", ...inds.map((i) => `${nameOf(i)} (${i.code})`)].map(cell).join(",")];
  for (const u of rows()) {
    lines.push([u.code, u.name, u.name_en, ...inds.map((i) => mark(roleIn(u, i.code)))].map(cell).join(","));
  }
  return "\ufeff" + lines.join("\r\n") + "\r\n";
}

export function wire() {
  $("#matrix").addEventListener("click", (e) => {
    if (e.target.id === "matrix-csv") {
      const name = `${state.plan}-matrix${state.draft ? "-draft" : ""}.csv`;
      return download(name, csv(), "text/csv;charset=utf-8");
    }
    const b = e.target.closest("button");
    if (b?.dataset.industry) set({ industry: b.dataset.industry === state.industry ? "" : b.dataset.industry });
    else if (b?.dataset.unit) emit("select", { code: b.dataset.unit, fly: true });
  });
}
