// The planner's write token: asked once per tab, kept in sessionStorage
// (never in the URL, never in localStorage), forgotten when refused.
import { $ } from "./dom.js";

const KEY = "indmap.token";

export const hasToken = () => !!sessionStorage.getItem(KEY);

export function forget() {
  sessionStorage.removeItem(KEY);
}

// token resolves to the tab's token, asking for it the first time;
// null when the planner cancels.
export function token() {
  const known = sessionStorage.getItem(KEY);
  if (known) return Promise.resolve(known);
  const dialog = $("#token-dialog");
  const input = $("#token-input");
  input.value = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      const v = input.value.trim();
      input.value = "";
      if (dialog.returnValue === "ok" && v) {
        sessionStorage.setItem(KEY, v);
        resolve(v);
      } else resolve(null);
    }, { once: true });
    dialog.showModal();
    input.focus();
  });
}
