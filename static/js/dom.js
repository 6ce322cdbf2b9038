// Small DOM helpers. Everything put into HTML goes through esc.

export const $ = (sel, root = document) => root.querySelector(sel);

export function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// A link to a source, only when it is a web address; anything else is
// shown as text.
export function sourceLink(src, label) {
  if (!src) return "";
  if (/^https?:\/\//i.test(src)) {
    let host = src;
    try { host = new URL(src).hostname; } catch { /* keep the text */ }
    return `<a href="${esc(src)}" target="_blank" rel="noopener noreferrer" title="${esc(src)}">${esc(label || host)}</a>`;
  }
  return `<span class="muted">${esc(src)}</span>`;
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
