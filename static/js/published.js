// A published map (indmap publish) has no server: index.html names its
// version.json, which names every other object, and the answers the page
// would ask a server for were published with it. This module reads them.
import { state } from "./state.js";
import { getJSON, HTTPError } from "./http.js";
import { rankSites, searchEntries } from "./offline.js";

const siteMeta = document.querySelector('meta[name="indmap-site"]');
export const site = siteMeta ? new URL(siteMeta.content, location.href) : null;
// A site object's absolute URL (keys are relative to version.json).
const at = (key) => new URL(key, site).href;

let version = null;
let first = null; // the first read of version.json, shared by all who wait for it
const objects = new Map(); // key → promise of its JSON: keys name content

// loadVersion reads version.json anew (it is never cached); the page
// polls it for new data.
export async function loadVersion() {
  version = await getJSON(site.href, { cache: "no-cache" });
  return version;
}
export const currentVersion = () => version;

async function object(key) {
  if (!objects.has(key)) {
    const p = getJSON(at(key));
    p.catch(() => objects.delete(key));
    objects.set(key, p);
  }
  return objects.get(key);
}

const known = async () => version || (await (first ||= loadVersion()));

async function files(id) {
  const v = await known();
  const f = v.files[id];
  if (!f) throw new HTTPError(id, 404, { detail: `no published map of plan ${id}` });
  return f;
}

// ServerNeeded is what asking a published map for a server's work
// (validation, writes, revisions) throws.
export class ServerNeeded extends Error {}
const needServer = () => Promise.reject(new ServerNeeded("this is a published map: the planner's workbench needs an indmap server"));

// In a published style the archive and the glyphs are named by keys
// relative to version.json; MapLibre wants absolute URLs. The glyph
// template's braces must stay as they are (new URL would escape them).
function absolute(style) {
  const base = at(".");
  const sources = Object.fromEntries(Object.entries(style.sources || {}).map(([k, s]) =>
    [k, s.url?.startsWith("pmtiles://") ? { ...s, url: `pmtiles://${at(s.url.slice(10))}` } : s]));
  return { ...style, sources, ...(style.glyphs ? { glyphs: base + style.glyphs } : {}) };
}

// fromSite answers what the page asks, from the published objects.
export const fromSite = {
  plans: async () => object((await known()).plans),
  industries: async (id) => object((await files(id)).industries),
  tileJSON: async (id) => {
    const tj = await object((await files(id)).tilejson);
    return { ...tj, tiles: tj.tiles.map((u) => u.replace(/^pmtiles:\/\/(.*)\/\{z\}/, (_, k) => `pmtiles://${at(k)}/{z}`)) };
  },
  style: async (id, language = state.lang) => {
    const f = await files(id);
    return absolute(await object(language === "en" ? f.style_en : f.style));
  },
  theme: async (id) => object((await files(id)).theme),
  unit: async (code) => {
    const u = (await object((await files(state.plan)).units)).units[code];
    if (!u) throw new HTTPError(code, 404, { detail: `no unit with code ${code}` });
    return u;
  },
  cityGroups: async (id) => Object.values((await object((await files(id)).units)).units)
    .filter((f) => f.properties.kind === "city" && f.properties.plans.length)
    .map((f) => ({ code: f.properties.code, group: f.properties.plans[0].group, group_en: f.properties.plans[0].group_en, bbox: f.bbox })),
  sites: async (id, industry, origin) => {
    const all = (await object((await files(id)).sites)).industries[industry];
    if (!all) throw new HTTPError(industry, 404, { detail: `no industry ${industry}` });
    return { plan: id, sites: rankSites(all, origin).slice(0, 100) };
  },
  search: async (q, id) => searchEntries((await object((await files(id)).search)).entries, q, 8, id),
  validation: needServer,
  revisions: needServer,
  revisionDiff: needServer,
};

