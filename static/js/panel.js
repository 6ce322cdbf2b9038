// The panel: what the plan says of the selected unit (or cluster, or
// economic circle), in the page's language, with sources. With a draft
// it shows the draft's picks and what they change.
import { state, set, emit } from "./state.js";
import { $, esc, sourceLink, detailHTML } from "./dom.js";
import { t, nameOf, levelName, kindName, planTitle, joinList, groupName, clusterTitle } from "./i18n.js";
import * as api from "./api.js";
import { holdings, industryOf, isClusters, currentPlan, levels, activeDraft } from "./colouring.js";
import { clusterHosts } from "./legend.js";

// Unit answers, per plan content tag: a write makes them stale.
const cache = new Map();

export function unitData(code) {
  const key = `${state.theme?.tag}|${code}`;
  if (!cache.has(key)) {
    const p = api.unit(code);
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return cache.get(key);
}

// bboxOf is a unit's bounds: its own (a published map's units come
// without outlines), else its outline's.
export const bboxOf = (feature) => feature?.bbox || api.bboxOf(feature?.geometry);

const themeUnit = (code) => state.theme?.units.find((u) => u.code === code);
const unitName = (code, fallback) => nameOf(themeUnit(code)) || fallback || code;
const unitButton = (code, name) => `<button type="button" class="link" data-unit="${esc(code)}">${esc(name)}</button>`;
const industryName = (code, fallback) => nameOf(industryOf(code)) || fallback || code;

function otherName(x) {
  const other = state.lang === "en" ? x.name : x.name_en;
  return other && other !== nameOf(x) ? ` <span class="muted" lang="${state.lang === "en" ? "zh" : "en"}">${esc(other)}</span>` : "";
}

function picksList(items) {
  if (!items?.length) return `<p class="muted">${esc(t("noIndustry"))}</p>`;
  return "<ul>" + items.map((i) => `<li>${esc(industryName(i.code, i.name))}` +
    (i.detail ? ` <span class="muted">${state.lang === "en" ? "(" : "（"}${detailHTML(i)}${state.lang === "en" ? ")" : "）"}</span>` : "") +
    (i.source ? ` ${sourceLink(i.source)}` : "") + "</li>").join("") + "</ul>";
}

function clusterHTML(c, heading = "h4") {
  const steps = (c.history || []).length > 1
    ? `<li>${esc(t("history"))}: ${c.history.map((h) => `${esc(h.year)} ${esc(levelName(h.level))} ${sourceLink(h.source, t("source"))}`).join(" → ")}</li>` : "";
  // In English the title is indmap's translation of the Chinese name, or
  // a description where it has none: said on hover.
  const translated = state.theme?.clusters?.[c.name]?.title_en_translated;
  const described = state.lang === "en" ? ` title="${esc(t(translated ? "translatedName" : "describedTitle"))}"` : "";
  return `<div class="cluster"><${heading}${described}>${esc(clusterTitle(c.name))}</${heading}><ul class="facts">` +
    `<li>${esc(t("industry"))}: ${esc(industryName(c.industry))}</li>` +
    `<li>${esc(t("level"))}: <strong>${esc(levelName(c.level))}</strong>${c.year ? ` · ${esc(t("year"))} ${esc(c.year)}` : ""}</li>` +
    `<li>${esc(t("hostCities"))}: ${joinList((c.hosts || []).map((h) => unitButton(h, unitName(h))))}</li>` +
    (c.source ? `<li>${esc(t("sources"))}: ${sourceLink(c.source)}</li>` : "") + steps + "</ul></div>";
}

// draftHTML: the unit's picks in the draft, with what they change.
function draftHTML(code) {
  const d = activeDraft();
  const u = holdings().find((x) => x.code === code);
  const change = (d.units || []).find((x) => x.unit === code);
  let html = `<div class="draft-box"><h3>${esc(t("inDraft"))} <span class="muted">${esc(d.label)}</span></h3>`;
  if (isClusters()) {
    html += (u?.rows || []).length ? "<ul>" + u.rows.map((r) => `<li>${esc(r.cluster)} · ${esc(levelName(r.level))}</li>`).join("") + "</ul>" : `<p class="muted">${esc(t("noIndustry"))}</p>`;
  } else {
    const pick = (code2) => ({ code: code2 });
    html += `<h4>${esc(t("main"))}</h4>${picksList((u?.main_codes || []).map(pick))}<h4>${esc(t("special"))}</h4>${picksList((u?.special_codes || []).map(pick))}`;
  }
  if (change) {
    const item = (x) => `${esc(x.cluster || industryName(x.industry, x.industry_name))}${x.role ? ` (${esc(t(x.role) || x.role)})` : ""}`;
    html += "<ul class=\"changes\">" +
      change.added.map((x) => `<li class="added">+ ${esc(t("added"))}: ${item(x)}</li>`).join("") +
      change.removed.map((x) => `<li class="removed">− ${esc(t("removed"))}: ${item(x)}</li>`).join("") +
      change.changed.map((x) => `<li class="changed">~ ${esc(t("changed"))}: ${esc(industryName(x.industry, x.industry_name))} ${esc(t(x.from))} → ${esc(t(x.to))}</li>`).join("") + "</ul>";
  }
  return html + "</div>";
}

async function unitHTML(code) {
  const f = await unitData(code);
  const p = f.properties;
  const inPlan = p.plans.find((x) => x.plan === state.plan);
  let html = `<h2>${esc(nameOf(p))}${otherName(p)}</h2>`;
  html += `<p class="muted">${esc(kindName(p.kind))}${p.area_km2 ? ` · ${esc(t("area"))} ${Math.round(p.area_km2).toLocaleString()} ${esc(t("km2"))}` : ""}</p>`;
  if (p.valid_to) {
    const to = joinList((p.successors || []).map((s) => nameOf(s)));
    html += `<p class="abolished">${esc(t("abolished", p.valid_to, to))}</p>`;
  }
  // The note in the page's language (indmap's rendering, titled so), else
  // as the plan has it.
  if (p.approximate) {
    const rendered = state.lang === "en" ? p.note_en : p.note_zh;
    html += `<p class="muted zone-note"${rendered ? ` title="${esc(t("renderedTitle"))}"` : ""}>${esc(rendered || p.note || t("approximate"))}</p>`;
  }
  if (p.outline_before) html += `<p class="muted outline-before">${esc(t("outlineBefore", p.outline_before))}</p>`;
  if (activeDraft()) html += draftHTML(code);
  if (inPlan) {
    if (activeDraft()) html += `<h3>${esc(t("inStored"))}</h3>`;
    if (inPlan.kind === "clusters") {
      html += `<h3>${esc(t("clusters"))}</h3>` + ((inPlan.clusters || []).length ? inPlan.clusters.map((c) => clusterHTML(c)).join("") : `<p class="muted">${esc(t("noCluster"))}</p>`);
    } else {
      html += `<h3>${esc(t("main"))}</h3>${picksList(inPlan.main)}<h3>${esc(t("special"))}</h3>${picksList(inPlan.special)}`;
    }
    if (inPlan.group) html += `<p>${esc(t("region"))}: <button type="button" class="link" data-region="${esc(inPlan.group)}">${esc(state.lang === "en" && inPlan.group_en || inPlan.group)}</button></p>`;
  }
  if (p.approximate && p.hosts?.length) html += `<h3>${esc(t("hosts"))}</h3><p>${joinList(p.hosts.map((h) => unitButton(h, unitName(h))))}</p>`;
  if (p.neighbours?.length) html += `<h3>${esc(t("neighbours"))}</h3><p>${joinList(p.neighbours.map((n) => unitButton(n.code, nameOf(n))))}</p>`;
  return html;
}

async function clusterPanel(name) {
  const hosts = clusterHosts().get(name) || [];
  let c = null;
  if (hosts.length && !activeDraft()) {
    const f = await unitData(hosts[0]);
    c = f.properties.plans.find((x) => x.plan === state.plan)?.clusters?.find((x) => x.name === name);
  }
  if (!c) {
    const rows = holdings().flatMap((u) => (u.rows || []).filter((r) => r.cluster === name));
    const best = rows.sort((a, b) => levels.indexOf(a.level) - levels.indexOf(b.level))[0];
    c = { name, industry: best?.industry, level: best?.level, hosts };
  }
  return `<p class="muted">${esc(t("cluster"))} · ${esc(planTitle(currentPlan()))}</p>` + clusterHTML(c, "h2");
}

function regionPanel(name) {
  const members = (state.groups.plan === state.plan && state.groups.members.get(name)) || [];
  return `<h2>${esc(groupName(name))}</h2><p class="muted">${esc(t("region"))} · ${esc(planTitle(currentPlan()))}</p>` +
    `<h3>${esc(t("members"))}</h3><p>${joinList(members.map((c) => unitButton(c, unitName(c))))}</p>`;
}

let token = 0;

// render shows what is selected: a unit, else a cluster, else an
// economic circle; nothing hides the panel.
export async function render() {
  const el = $("#panel");
  const mine = ++token;
  if (!state.unit && !state.cluster && !state.region) {
    el.hidden = true;
    el.innerHTML = "";
    return;
  }
  let html;
  try {
    if (state.unit) html = await unitHTML(state.unit);
    else if (state.cluster) html = await clusterPanel(state.cluster);
    else html = regionPanel(state.region);
  } catch (e) {
    html = `<p class="sev-error">${esc(t(e.status === 404 ? "notFound" : "loadFailed"))}${esc(state.unit || state.cluster)}</p>`;
  }
  if (mine !== token) return; // a later selection won
  el.innerHTML = `<button type="button" class="close" aria-label="${esc(t("close"))}" data-close>×</button>${html}<div id="panel-extra"></div>`;
  el.hidden = false;
  emit("panel-rendered", { code: state.unit, el: $("#panel-extra") });
}

export function wire() {
  $("#panel").addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (!b) return;
    if (b.dataset.close !== undefined) set({ unit: "", cluster: "", region: "" });
    else if (b.dataset.unit) emit("select", { code: b.dataset.unit, fly: true });
    else if (b.dataset.region) set({ region: b.dataset.region, unit: "", cluster: "" });
  });
}
