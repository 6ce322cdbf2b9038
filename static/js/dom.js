// Small DOM helpers. Everything put into HTML goes through esc.
import { sourceInfo } from "./sources.js";
import { t, detailOf } from "./i18n.js";

export const $ = (sel, root = document) => root.querySelector(sel);

export function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// A link to a source, only when it is a web address; anything else is
// shown as text. Unless a label is given, it names the publisher (or the
// host), the date its address carries, and marks an official site.
export function sourceLink(src, label) {
  if (!src) return "";
  if (/^https?:\/\//i.test(src)) {
    const info = sourceInfo(src);
    const a = `<a href="${esc(src)}" target="_blank" rel="noopener noreferrer" title="${esc(src)}">${esc(label || info?.publisher || info?.host || src)}</a>`;
    if (label || !info) return a;
    return `<span class="source">${a}${info.date ? ` <span class="muted">${esc(info.date)}</span>` : ""}` +
      `${info.official ? ` <span class="official">${esc(t("official"))}</span>` : ""}</span>`;
  }
  return `<span class="muted">${esc(src)}</span>`;
}

// detailHTML is a holding's detail in the page's language: in English
// indmap's translation, titled as one, or the Chinese as written.
export function detailHTML(x) {
  const d = detailOf(x);
  if (!d.text) return "";
  return `<span class="detail-text"${d.lang ? ` lang="${d.lang}"` : ""}${d.title ? ` title="${esc(d.title)}"` : ""}>${esc(d.text)}</span>`;
}

// download offers text as a file (a blob URL: no server round trip).
export function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
