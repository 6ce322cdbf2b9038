// What hovering a unit or a zone's dot says of it: its name and what it
// holds in the plan shown (main and special industries, or the clusters
// it hosts), so that every unit can be identified, labelled or not.
import { esc } from "./dom.js";
import { t, nameOf, clusterTitle, joinList } from "./i18n.js";
import { holdings, industryOf, isClusters } from "./colouring.js";

export function tooltipHTML(code) {
  const u = holdings().find((x) => x.code === code);
  if (!u) return "";
  const names = (codes) => joinList(codes.map((c) => nameOf(industryOf(c)) || c));
  let what;
  if (isClusters()) {
    what = (u.clusters || []).length ? joinList(u.clusters.map(clusterTitle)) : t("noCluster");
  } else {
    const parts = [];
    if (u.main_codes.length) parts.push(`${t("main")}: ${names(u.main_codes)}`);
    if (u.special_codes.length) parts.push(`${t("special")}: ${names(u.special_codes)}`);
    what = parts.join(t("listSep")) || t("noPicks");
  }
  return `<strong>${esc(nameOf(u))}</strong><br>${esc(what)}`;
}
