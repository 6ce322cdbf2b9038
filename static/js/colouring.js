// What each unit holds (in the stored plan, or in the planner's draft)
// and the colour that gives it. The legend counts exactly what this
// colours, and the map, the matrix and the panel read the same holdings.
import { state } from "./state.js";
import { t, nameOf, tierName, levelName } from "./i18n.js";

// The colours are the style's (its metadata's colour table, served with
// the map's style): the map, the legend and the page's role badges use
// no others.
export const palette = () => state.style.metadata["indmap:colours"];

const levelRank = { world: 3, national: 2, provincial: 1 };
export const levels = ["world", "national", "provincial"];

export const isClusters = () => currentPlan()?.kind === "clusters";
export const currentPlan = () => state.plans.find((p) => p.id === state.plan);
export const industryOf = (code) => state.catalogue.find((i) => i.code === code);

// A unit is a sub-unit when the plan also holds the level above it (a
// county under a Shandong city): it is drawn only when it holds
// something, so the city's colour shows through it.
function subUnits(units) {
  const cities = units.some((u) => u.kind === "city");
  return (u) => cities && u.kind === "district";
}

// fromDraft turns one unit's rows of a diff's `after` into holdings, as
// the server's read model does: a main pick wins over a special one; a
// cluster counts at its highest level, national or world-class making
// its sector main.
function fromDraft(u, rows) {
  const roles = new Map();
  const clusters = new Map();
  for (const r of rows) {
    if (r.cluster) {
      if ((levelRank[r.level] || 0) > (levelRank[clusters.get(r.cluster)?.level] || 0)) clusters.set(r.cluster, r);
      continue;
    }
    if (roles.get(r.industry) !== "main") roles.set(r.industry, r.role);
  }
  let level = "";
  for (const c of clusters.values()) {
    const role = c.level === "provincial" ? "special" : "main";
    if (roles.get(c.industry) !== "main") roles.set(c.industry, role);
    if ((levelRank[c.level] || 0) > (levelRank[level] || 0)) level = c.level;
  }
  const main = [...roles].filter(([, r]) => r === "main").map(([i]) => i);
  const special = [...roles].filter(([, r]) => r === "special").map(([i]) => i);
  let tier = 0;
  if (!isClusters()) {
    for (const code of main) {
      const ti = industryOf(code)?.tier || 0;
      if (ti > 0 && (tier === 0 || ti < tier)) tier = ti;
    }
  }
  return { ...u, main_codes: main, special_codes: special, level, tier, clusters: [...clusters.keys()], industries: roles.size, assigned: roles.size + clusters.size > 0, rows };
}

// activeDraft is the planner's draft where it is shown: in the
// planner's and the matrix views; investors see the stored plan.
export const activeDraft = () => (state.view !== "investor" ? state.draft : null);

// holdings lists every unit of the plan with what it holds: the
// draft's when there is one, else the stored plan's.
export function holdings() {
  const th = state.theme;
  if (!th) return [];
  const draft = activeDraft();
  if (!draft) return th.units;
  const after = draft.after || {};
  return th.units.map((u) => fromDraft(u, after[u.code] || []));
}

export function roleIn(u, industry) {
  if (u.main_codes.includes(industry)) return "main";
  if (u.special_codes.includes(industry)) return "special";
  return "";
}

// colouring gives each unit its fill and the legend's classes, each
// with the number of units it colours.
export function colouring(list = holdings()) {
  const sub = subUnits(list);
  const ind = industryOf(state.industry);
  const classes = [];
  const byKey = new Map();
  const add = (key, colour, label, hatch) => {
    const c = { key, colour, label, hatch: !!hatch, count: 0 };
    classes.push(c);
    byKey.set(key, c);
  };
  let classify;
  let title;
  let note = "";
  const colours = palette();
  if (ind) {
    title = t("roleLegend", nameOf(ind));
    add("main", colours.main, isClusters() ? t("clusterMain") : t("main"));
    add("special", colours.special, isClusters() ? t("clusterSpecial") : t("special"));
    add("none", colours.none, t("none"));
    add("empty", colours.empty, isClusters() ? t("noCluster") : t("noPicks"), true);
    classify = (u) => roleIn(u, ind.code) || (u.assigned ? "none" : "empty");
    if (!list.some((u) => roleIn(u, ind.code))) note = t("noUnitHolds", nameOf(ind));
  } else if (isClusters()) {
    title = t("overview");
    note = t("overviewClusters");
    levels.forEach((l, i) => add(l, colours.ramp[i], levelName(l)));
    add("empty", colours.empty, t("noCluster"), true);
    classify = (u) => (u.level && byKey.has(u.level) ? u.level : "empty");
  } else {
    title = t("overview");
    note = t("overviewPicks");
    const tiers = [...new Map(state.catalogue.filter((i) => i.tier > 0).map((i) => [i.tier, i])).values()].sort((a, b) => a.tier - b.tier);
    tiers.forEach((i, n) => add(`tier${i.tier}`, colours.ramp[Math.min(n, colours.ramp.length - 1)], tierName(i)));
    add("specialOnly", colours.specialOnly, t("specialOnly"));
    add("empty", colours.empty, t("noPicks"), true);
    classify = (u) => (u.tier > 0 && byKey.has(`tier${u.tier}`) ? `tier${u.tier}` : u.special_codes.length ? "specialOnly" : u.main_codes.length ? "specialOnly" : "empty");
  }
  const units = new Map();
  for (const u of list) {
    const key = classify(u);
    if (sub(u) && key === "empty") {
      units.set(u.code, { clear: true });
      continue;
    }
    const c = byKey.get(key);
    c.count++;
    units.set(u.code, { fill: c.colour, hatch: c.hatch, key });
  }
  return { title, note, industry: ind, classes, units };
}

// coverage counts units with something published: all units in a picks
// plan; per kind in a plan of several levels, where a unit inside a
// unit with something (a county of a city hosting a cluster) counts
// apart (within).
export function coverage(list = holdings()) {
  const kinds = new Map();
  const assigned = new Set(list.filter((u) => u.assigned).map((u) => u.code));
  for (const u of list) {
    const k = u.kind === "zone" ? "district" : u.kind;
    const c = kinds.get(k) || { kind: k, units: 0, assigned: 0, within: 0 };
    c.units++;
    if (u.assigned) c.assigned++;
    else if (u.parent && assigned.has(u.parent)) c.within++;
    kinds.set(k, c);
  }
  const total = { units: list.length, assigned: assigned.size };
  return { total, kinds: [...kinds.values()] };
}
