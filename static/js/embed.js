// The embed dialog: an <iframe> snippet, the TileJSON and style URLs,
// and a live preview of exactly what the snippet shows.
import { state } from "./state.js";
import { $, esc } from "./dom.js";
import { t, nameOf } from "./i18n.js";

function embedURL() {
  const q = new URLSearchParams({ plan: state.plan });
  const ind = $("#embed-industry").value;
  if (ind) q.set("industry", ind);
  if ($("#embed-lang").value === "en") q.set("lang", "en");
  return `${location.origin}/embed?${q}`;
}

function update() {
  const url = embedURL();
  const ind = $("#embed-industry").value;
  const lang = $("#embed-lang").value;
  $("#embed-code").value = `<iframe src="${esc(url)}" width="800" height="600" style="border:0" title="indmap" loading="lazy"></iframe>`;
  $("#embed-tilejson").value = `${location.origin}/tiles/${state.plan}.json${ind ? `?industry=${encodeURIComponent(ind)}` : ""}`;
  const sq = new URLSearchParams();
  if (ind) sq.set("industry", ind);
  if (lang === "en") sq.set("lang", "en");
  $("#embed-style").value = `${location.origin}/styles/${state.plan}.json${sq.size ? `?${sq}` : ""}`;
  const frame = $("#embed-preview");
  if (frame.src !== url) frame.src = url;
}

export function open() {
  $("#embed-industry").innerHTML = `<option value="">${esc(t("overview"))}</option>` +
    state.catalogue.map((i) => `<option value="${esc(i.code)}"${i.code === state.industry ? " selected" : ""}>${esc(nameOf(i))}</option>`).join("");
  $("#embed-lang").value = state.lang;
  $("#copy-status").textContent = "";
  update();
  $("#embed-dialog").showModal();
}

// copy puts a field's text on the clipboard (or, where the page may not
// write it, selects the text for the user to copy).
async function copy(id) {
  const field = $(`#${id}`);
  try {
    await navigator.clipboard.writeText(field.value);
    $("#copy-status").textContent = t("copied");
  } catch {
    field.select();
  }
}

export function wire() {
  $("#embed-dialog").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-copy]");
    if (b) copy(b.dataset.copy);
  });
  $("#embed-industry").addEventListener("change", update);
  $("#embed-lang").addEventListener("change", update);
  // The preview stops loading when the dialog closes.
  $("#embed-dialog").addEventListener("close", () => { $("#embed-preview").src = "about:blank"; });
}
