// A plan's revisions: every accepted write, newest first, each with what
// it changed (its diff against the one before) and a restore, which
// takes the tab's token and the newest revision's ETag.
import { state, emit } from "./state.js";
import { $, esc } from "./dom.js";
import { t, nameOf, fmtDate } from "./i18n.js";
import * as api from "./api.js";
import * as auth from "./auth.js";
import { industryOf } from "./colouring.js";
import { subjectOf } from "./report.js";

let list = [];
let listTag = "";
let confirming = 0;
let notice = ""; // HTML of the last restore's outcome
const open = new Map(); // revision n → its diff's HTML, when shown

async function load(fresh) {
  const tag = `${state.plan}|${state.theme?.tag}`;
  if (!fresh && tag === listTag) return;
  listTag = tag;
  list = (await api.revisions(state.plan)).revisions;
}

// etagOf is revision n's ETag, for If-Match.
export async function etagOf(n) {
  await load(false);
  let r = list.find((x) => x.n === n);
  if (!r) {
    await load(true);
    r = list.find((x) => x.n === n);
  }
  return r?.etag;
}

// diffHTML: what a diff adds, removes and changes, unit by unit.
export function diffHTML(d) {
  if (!d.units?.length) return `<p class="muted">${esc(t("noChanges"))}</p>`;
  const name = (x) => x.cluster || nameOf(industryOf(x.industry)) || x.industry_name || x.industry;
  return `<p class="muted">${esc(subjectOf(d.from))} → ${esc(subjectOf(d.to))}</p><ul class="diff">` + d.units.map((u) => {
    const unit = nameOf(state.theme?.units.find((x) => x.code === u.unit)) || u.unit_name;
    return `<li><button type="button" class="link" data-unit="${esc(u.unit)}">${esc(unit)}</button><ul>` +
      u.added.map((x) => `<li class="added">+ ${esc(name(x))} (${esc(t(x.role))})</li>`).join("") +
      u.removed.map((x) => `<li class="removed">− ${esc(name(x))} (${esc(t(x.role))})</li>`).join("") +
      u.changed.map((x) => `<li class="changed">~ ${esc(name(x))}: ${esc(t(x.from))} → ${esc(t(x.to))}</li>`).join("") + "</ul></li>";
  }).join("") + "</ul>";
}

function item(r, i) {
  const notes = [r.forced ? t("forced") : "", r.restored_from ? t("restoredFrom", r.restored_from) : ""].filter(Boolean).join(" · ");
  return `<li class="revision" data-n="${r.n}"><strong>${esc(t("revision", r.n))}</strong> ` +
    `<span class="muted">${esc(fmtDate(r.created_at))} · ${esc(t("by"))} ${esc(r.author)}</span> ` +
    `<span class="sev-error">${esc(t("errorN", r.errors))}</span> <span class="sev-warning">${esc(t("warningN", r.warnings))}</span>` +
    (notes ? ` <span class="muted">${esc(notes)}</span>` : "") +
    `<div class="actions"><button type="button" data-diff="${r.n}" aria-expanded="${open.has(r.n)}">${esc(t("showDiff"))}</button>` +
    (i > 0 ? (confirming === r.n
      ? ` <button type="button" class="danger" data-restore="${r.n}">${esc(t("confirmRestore", r.n))}</button>`
      : ` <button type="button" data-ask-restore="${r.n}">${esc(t("restore"))}</button>`) : "") +
    `</div><div class="revision-diff">${open.get(r.n) || ""}</div></li>`;
}

export async function render() {
  const el = $("#revisions");
  try {
    await load(false);
  } catch (e) {
    el.innerHTML = `<p class="sev-error">${esc(t("loadFailed"))}${esc(e.message)}</p>`;
    return;
  }
  el.innerHTML = `<h3>${esc(t("revisions"))}</h3><ol class="revisions">${list.map(item).join("")}</ol><div id="restore-msg" role="status">${notice}</div>`;
}

async function restore(n) {
  confirming = 0;
  const token = await auth.token();
  if (!token) return render();
  await load(true);
  try {
    const r = await api.restore(state.plan, n, { token, etag: list[0]?.etag });
    notice = `<p class="ok">${esc(t("restored", n, r.revision.n))}</p>`;
    emit("written");
    await load(true);
    await render();
  } catch (e) {
    emit("write-failed", e);
  }
}

export function wire() {
  $("#revisions").addEventListener("click", async (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    notice = "";
    if (b.dataset.diff) {
      const n = Number(b.dataset.diff);
      if (open.has(n)) open.delete(n);
      else {
        try {
          open.set(n, diffHTML(await api.revisionDiff(state.plan, n)));
        } catch (err) {
          open.set(n, `<p class="sev-error">${esc(err.message)}</p>`);
        }
      }
      render();
    } else if (b.dataset.askRestore) {
      confirming = Number(b.dataset.askRestore);
      render();
    } else if (b.dataset.restore) {
      restore(Number(b.dataset.restore));
    } else if (b.dataset.unit) emit("select", { code: b.dataset.unit, fly: true });
  });
}
