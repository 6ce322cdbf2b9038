// A validation report as planners read it: labelled with what it
// describes, errors before warnings (distinct in colour and words), each
// rule by its title in the page's language, each violation with its
// message and lines.
import { esc } from "./dom.js";
import { t } from "./i18n.js";

// groups keeps the server's order (errors first) and gathers each
// rule's violations.
function groups(r) {
  const out = [];
  const byKey = new Map();
  const ordered = [...r.violations].sort((a, b) => (a.severity === "error" ? 0 : 1) - (b.severity === "error" ? 0 : 1));
  for (const v of ordered) {
    const key = `${v.severity}|${v.rule}`;
    if (!byKey.has(key)) {
      const g = { severity: v.severity, rule: v.rule, title: v.title || v.rule, items: [] };
      byKey.set(key, g);
      out.push(g);
    }
    byKey.get(key).items.push(v);
  }
  return out;
}

// subjectOf names what a report describes: the file, or the stored
// revision (the server says "stored revision N").
export function subjectOf(s) {
  const m = /^stored revision (\d+)$/.exec(s || "");
  return m ? t("storedRevision", m[1]) : s || "";
}

// reportHTML draws a report. opts.subject names what was checked in
// place of the report's own subject, and opts.noLines leaves out line
// numbers (edits made in the page have no file to point into).
export function reportHTML(r, id, opts = {}) {
  const verdict = r.valid ? t("valid") : t("invalid");
  let html = `<div class="report" id="${esc(id)}"><p class="report-subject">${esc(t("reportOn", opts.subject || subjectOf(r.subject)))}` +
    `${r.sheet ? ` · ${esc(t("sheet", r.sheet))}` : ""}${r.as_of ? ` · ${esc(t("asOf", r.as_of))}` : ""}</p>` +
    `<p class="verdict ${r.valid ? "ok" : "bad"}"><strong>${esc(verdict)}</strong> · ` +
    `<span class="sev-error">${esc(t("errorN", r.errors))}</span> · <span class="sev-warning">${esc(t("warningN", r.warnings))}</span></p>`;
  for (const g of groups(r)) {
    const open = g.severity === "error" || r.violations.length <= 8;
    html += `<details class="rule-group sev-${esc(g.severity)}"${open ? " open" : ""}><summary>` +
      `<span class="badge badge-${esc(g.severity)}">${esc(t(g.severity === "error" ? "errors" : "warnings"))}</span> ` +
      `${esc(g.title)} <span class="count">${g.items.length}</span> <code class="rule" title="rule">${esc(g.rule)}</code></summary><ul class="violations">` +
      g.items.map((v) => `<li class="violation sev-${esc(v.severity)}" data-rule="${esc(v.rule)}">` +
        `<button type="button" data-unit="${esc(v.units?.[0] || "")}">${esc(v.message || v.title)}</button>` +
        (v.lines?.length && !opts.noLines ? ` <span class="muted">${esc(t("lines", v.lines.join(", ")))}</span>` : "") + "</li>").join("") +
      "</ul></details>";
  }
  return html + "</div>";
}

// severities maps each unit a report names to its worst severity.
export function severities(r) {
  const out = new Map();
  for (const v of r?.violations || []) {
    for (const u of v.units || []) {
      if (out.get(u) !== "error") out.set(u, v.severity === "error" ? "error" : "warning");
    }
  }
  return out;
}
