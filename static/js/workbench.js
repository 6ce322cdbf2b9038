// The planner's workbench: the stored plan's report, a file (CSV, JSON,
// .xlsx) or the planner's own edits checked as a draft over the stored
// plan (nothing stored), and saving it with the tab's token: If-Match
// with the revision the draft was made on, the rules' refusal shown
// with an explicit "save anyway", and someone else's save (412) said
// with their changes on offer.
import { state, set, on, emit } from "./state.js";
import { $, esc } from "./dom.js";
import { t, nameOf, fmtDate } from "./i18n.js";
import * as api from "./api.js";
import * as auth from "./auth.js";
import { reportHTML, severities, subjectOf } from "./report.js";
import { isClusters, holdings, industryOf } from "./colouring.js";
import * as revisions from "./revisions.js";

let stored = null; // the stored plan's report
let storedTag = "";
let message = ""; // HTML of the last save's outcome
let refused = false; // the last save was refused by the rules (422)
let conflict = null; // the 412's current revision

// marks: what the map outlines in the planner's view: each unit's worst
// severity in the report on screen (the draft's, else the stored
// plan's), and the units the draft changes.
export function marks() {
  if (state.view !== "planner") return { sev: new Map(), changed: new Set() };
  const r = state.draft ? state.draft.report : stored;
  return { sev: severities(r), changed: new Set((state.draft?.units || []).map((u) => u.unit)) };
}

async function loadStored() {
  const tag = `${state.plan}|${state.theme?.tag}|${state.lang}`;
  if (stored && storedTag === tag) return;
  storedTag = tag;
  stored = await api.validation(state.plan);
}

function summary(d) {
  if (!d.units?.length) return `<p class="muted">${esc(t("noChanges"))}</p>`;
  return `<p>${esc(t("draftChanges", d.added, d.removed, d.changed))}</p><ul class="draft-units">` + d.units.map((u) =>
    `<li><button type="button" data-unit="${esc(u.unit)}">${esc(nameOf(state.theme?.units.find((x) => x.code === u.unit)) || u.unit_name)}</button> ` +
    `<span class="added">+${u.added.length}</span> <span class="removed">−${u.removed.length}</span> <span class="changed">~${u.changed.length}</span></li>`).join("") + "</ul>";
}

function draftHTML() {
  const d = state.draft;
  if (!d) return "";
  // A save made since the draft's revision (a live update brought it):
  // said at once, with that save's changes and a new check on offer.
  const stale = !conflict && stored?.revision && d.from_revision && stored.revision !== d.from_revision
    ? `<div class="stale" id="stale"><p class="sev-warning">${esc(t("staleDraft", d.from_revision, stored.revision))}</p>` +
      `<button type="button" id="their-diff" data-n="${esc(stored.revision)}" data-base="${esc(d.from_revision)}">${esc(t("showTheirDiff"))}</button> ` +
      `<button type="button" id="recheck">${esc(t("recheck"))}</button><div id="their-changes"></div></div>` : "";
  return `<div class="draft-box" id="draft-box"><h3>${esc(t("draftOf", d.label))}</h3>${stale}${summary(d)}` +
    `<div class="actions"><button type="button" id="save" class="primary">${esc(t("save"))}</button>` +
    (refused ? ` <button type="button" id="save-force" class="danger">${esc(t("saveAnyway"))}</button>` : "") +
    ` <button type="button" id="discard">${esc(t("discard"))}</button></div>` +
    `<div id="draft-msg" role="status">${message}</div>` +
    reportHTML(d.report, "draft-report", d.kind === "edit" ? { subject: describeEdits(d), noLines: true } : {}) + "</div>";
}

// describeEdits says what the page's edits change, unit by unit:
// "璧山区: + 主导产业 先进材料; − 特色产业 …".
export function describeEdits(d) {
  const ind = (x) => nameOf(industryOf(x.industry)) || x.industry_name || x.industry;
  const parts = (d.units || []).map((u) => {
    const unit = nameOf(state.theme?.units.find((x) => x.code === u.unit)) || u.unit_name || u.unit;
    const ops = [...u.added.map((x) => `+ ${t(x.role)} ${ind(x)}`), ...u.removed.map((x) => `− ${t(x.role)} ${ind(x)}`),
      ...u.changed.map((x) => `~ ${ind(x)} ${t(x.from)} → ${t(x.to)}`)];
    return `${unit}: ${ops.join(state.lang === "en" ? ", " : "，")}`;
  });
  return parts.join(state.lang === "en" ? "; " : "；") || t("noChanges");
}

// published says, on a published map, that checking and saving plans
// need the server, with a link to it when the map names one.
function published(el) {
  const server = api.currentVersion()?.server_url;
  const href = server && `${server.replace(/\/$/, "")}/?plan=${encodeURIComponent(state.plan)}&view=planner${state.lang === "en" ? "&lang=en" : ""}`;
  el.innerHTML = `<h2>${esc(t("planner"))}</h2><p id="server-needed">${esc(t("serverNeeded"))}</p>` +
    (href ? `<p><a id="server-link" href="${esc(href)}">${esc(t("openServer"))}</a></p>` : `<p class="muted">${esc(t("noServer"))}</p>`);
}

export async function render() {
  const el = $("#planner");
  el.hidden = state.view !== "planner";
  if (el.hidden) return;
  if (api.site) return published(el);
  const d = state.draft;
  if (d?.report?.lang && d.report.lang !== state.lang) {
    // The draft's report in the page's new language: checked again.
    return check(d.body, d.name, d.label, { kind: d.kind, assignments: d.assignments, etag: d.etag });
  }
  try {
    await loadStored();
  } catch (e) {
    stored = null;
    $("#stored-report").innerHTML = `<p class="sev-error">${esc(t("loadFailed"))}${esc(e.message)}</p>`;
  }
  $("#draft").innerHTML = draftHTML() || (message ? `<div id="draft-msg" role="status">${message}</div>` : "");
  // The stored plan as a file to edit and check again (same origin: the
  // links download).
  const file = (format) => `/api/v1/plans/${encodeURIComponent(state.plan)}/assignments?format=${format}`;
  $("#plan-exports").innerHTML = `${esc(t("exportStored"))}: <a id="export-csv" href="${esc(file("csv"))}" download>CSV</a> · ` +
    `<a id="export-xlsx" href="${esc(file("xlsx"))}" download>Excel (.xlsx)</a>`;
  // Their changes, once asked for, outlive re-renders (the data event
  // their save sends arrives about when the 412 does).
  if (conflict?.diffHTML && $("#their-changes")) $("#their-changes").innerHTML = conflict.diffHTML;
  if (stored) $("#stored-report").innerHTML = `<h3>${esc(t("storedReport"))}</h3>${reportHTML(stored, "stored")}`;
  $("#token-state").innerHTML = auth.hasToken()
    ? `${esc(t("signedIn"))} <button type="button" id="forget-token">${esc(t("forgetToken"))}</button>` : "";
  revisions.render();
  emit("marks");
}

// check makes a draft of a plan file: the diff against the stored plan,
// with the file's report and what every unit holds in it.
async function check(body, name, label, extra = {}) {
  $("#file-result").innerHTML = "";
  try {
    const d = await api.diff(state.plan, body, name);
    message = "";
    refused = false;
    conflict = null;
    set({ draft: { ...d, ...extra, body, name, label: typeof label === "function" ? label(d) : label } });
  } catch (e) {
    $("#file-result").innerHTML = `<p class="sev-error">${esc(name)}: ${esc(e.message)}</p>`;
  }
}

async function checkFile(file) {
  await check(await file.arrayBuffer(), file.name, file.name, { kind: "file" });
}

async function save(force) {
  const d = state.draft;
  if (!d) return;
  const token = await auth.token();
  if (!token) return;
  const etag = d.etag || (await revisions.etagOf(d.from_revision));
  try {
    const r = await api.put(state.plan, d.body, d.name, { token, etag, force });
    message = `<p class="ok">${esc(t("saved", r.revision.n))}</p>`;
    refused = false;
    set({ draft: null });
    emit("written");
  } catch (e) {
    failed(e, d);
  }
  render();
}

// failed says why a write was not stored.
function failed(e, d) {
  refused = false;
  if (e.status === 422 && e.body?.report) {
    refused = true;
    message = `<p class="sev-error">${esc(t("refused"))}</p>`;
    if (d && state.draft) set({ draft: { ...state.draft, report: e.body.report } });
  } else if (e.status === 412 && e.body?.current_revision) {
    const c = e.body.current_revision;
    conflict = { current: c, base: d?.from_revision };
    message = `<p class="sev-error" id="conflict">${esc(t("conflict", c.n, c.author, fmtDate(c.created_at)))}</p>` +
      `<button type="button" id="their-diff" data-n="${esc(c.n)}">${esc(t("showTheirDiff"))}</button>` +
      (d ? ` <button type="button" id="recheck">${esc(t("recheck"))}</button>` : "") + `<div id="their-changes"></div>`;
  } else if (e.status === 401 || e.status === 403) {
    auth.forget();
    message = `<p class="sev-error">${esc(t("badToken"))} ${esc(e.message)}</p>`;
  } else {
    message = `<p class="sev-error">${esc(e.message)}</p>`;
  }
}

export function reportFailure(e) {
  failed(e, null);
  render();
}

// Edits: a unit's picks changed in its panel make a draft of the whole
// plan (the stored JSON plan file, edited), checked like any file.
let editBase = null; // {assignments, etag}

async function edit(code, change) {
  if (!editBase || state.draft?.kind !== "edit") {
    const { body, etag } = await api.assignmentsJSON(state.plan);
    editBase = { assignments: body.assignments || [], etag };
  }
  const rows = change(state.draft?.kind === "edit" ? state.draft.assignments : editBase.assignments);
  const json = JSON.stringify({ assignments: rows });
  await check(json, "edits.json", (d) => `${t("editing", subjectOf(d.from))}: ${describeEdits(d)}`, { kind: "edit", assignments: rows, etag: editBase.etag });
}

// unitReportHTML: what the report on screen (the draft's, else the
// stored plan's) says of one unit, by rule title, errors first.
function unitReportHTML(code) {
  const r = state.draft ? state.draft.report : stored;
  const vs = (r?.violations || []).filter((v) => (v.units || []).includes(code));
  if (!vs.length) return "";
  return `<h3>${esc(t("reportOn", subjectOf(r.subject)))}</h3><ul class="violations">` + vs.map((v) =>
    `<li class="violation sev-${esc(v.severity)}"><span class="badge badge-${esc(v.severity)}">${esc(t(v.severity === "error" ? "errors" : "warnings"))}</span> ` +
    `<strong>${esc(v.title || v.rule)}</strong>: ${esc(v.message || "")}` +
    (v.lines?.length ? ` <span class="muted">${esc(t("lines", v.lines.join(", ")))}</span>` : "") + "</li>").join("") + "</ul>";
}

function editorHTML(code) {
  if (isClusters()) return `<p class="muted">${esc(t("editClusters"))}</p>`;
  if (state.draft?.kind === "file") return `<p class="muted">${esc(t("fileDraftBlocks"))}</p>`;
  const u = holdings().find((x) => x.code === code);
  const rows = (role) => (u?.[role] || []).map((ind) =>
    `<li>${esc(nameOf(industryOf(ind)) || ind)} <button type="button" class="link" data-remove="${esc(ind)}" data-role="${esc(role)}" aria-label="${esc(t("remove"))} ${esc(nameOf(industryOf(ind)))}">${esc(t("remove"))}</button></li>`).join("");
  const options = state.catalogue.map((i) => `<option value="${esc(i.code)}">${esc(nameOf(i))}</option>`).join("");
  return `<div class="editor" data-code="${esc(code)}"><h3>${esc(t("edit"))}</h3><p class="muted">${esc(t("editHint"))}</p>` +
    `<h4>${esc(t("main"))}</h4><ul>${rows("main")}</ul><h4>${esc(t("special"))}</h4><ul>${rows("special")}</ul>` +
    `<div class="add-pick"><label>${esc(t("industry"))} <select id="add-industry">${options}</select></label> ` +
    `<label>${esc(t("role"))} <select id="add-role"><option value="main">${esc(t("main"))}</option><option value="special">${esc(t("special"))}</option></select></label> ` +
    `<label>${esc(t("source"))} <input id="add-source" type="url" placeholder="https://"></label> ` +
    `<button type="button" id="add-pick">${esc(t("addPick"))}</button></div></div>`;
}

export function wire() {
  revisions.wire();
  $("#file").addEventListener("change", (e) => {
    const f = e.target.files[0];
    e.target.value = "";
    if (f) checkFile(f);
  });
  $("#planner").addEventListener("click", async (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    if (b.id === "save") save(false);
    else if (b.id === "save-force") save(true);
    else if (b.id === "discard") { message = ""; refused = false; set({ draft: null }); }
    else if (b.id === "forget-token") { auth.forget(); render(); }
    else if (b.id === "recheck" && state.draft) {
      const d = state.draft;
      if (d.kind === "edit") editBase = null;
      if (d.kind === "edit") await edit("", (rows) => rows);
      else await check(d.body, d.name, d.label, { kind: d.kind });
    } else if (b.id === "their-diff") {
      const shown = conflict;
      const base = b.dataset.base ? Number(b.dataset.base) : shown?.base;
      const diff = await api.revisionDiff(state.plan, Number(b.dataset.n), base);
      const html = revisions.diffHTML(diff);
      if (shown) shown.diffHTML = html;
      if ($("#their-changes")) $("#their-changes").innerHTML = html;
    } else if (b.dataset.unit) emit("select", { code: b.dataset.unit, fly: true });
  });
  on("panel-rendered", ({ code, el }) => {
    if (!api.site && state.view === "planner" && code && el) el.innerHTML = unitReportHTML(code) + editorHTML(code);
  });
  $("#panel").addEventListener("click", (e) => {
    const b = e.target.closest("button");
    const box = e.target.closest(".editor");
    if (!b || !box) return;
    const code = box.dataset.code;
    const name = state.theme?.units.find((u) => u.code === code)?.name || "";
    if (b.dataset.remove) {
      edit(code, (rows) => rows.filter((a) => !(a.unit_code === code && a.role === b.dataset.role &&
        (a.industry === b.dataset.remove || industryOf(a.industry)?.code === b.dataset.remove || a.industry_name === industryOf(b.dataset.remove)?.name))));
    } else if (b.id === "add-pick") {
      const industry = $("#add-industry").value;
      const role = $("#add-role").value;
      const source = $("#add-source").value.trim();
      edit(code, (rows) => [...rows, { unit_code: code, unit_name: name, role, industry, detail: "", source }]);
    }
  });
}
