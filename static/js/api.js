// The API client: every request the page makes goes through here. From
// a server it asks the server's API; from a published map (indmap
// publish) the published objects (published.js).
import { state } from "./state.js";
import { getJSON, request } from "./http.js";
import { site, fromSite, loadVersion, currentVersion } from "./published.js";

export { HTTPError, getJSON } from "./http.js";
export { site, loadVersion, currentVersion };

const enc = encodeURIComponent;

const plan = (id) => `/api/v1/plans/${enc(id)}`;
// Reports and rule messages come in the page's language.
const lang = () => `lang=${state.lang}`;

const fromServer = {
  plans: () => getJSON("/api/v1/plans"),
  industries: (id) => getJSON(`/api/v1/industries?plan=${enc(id)}`),
  tileJSON: (id) => getJSON(`/tiles/${enc(id)}.json`),
  // The plan's map style, labels in the page's language.
  style: (id, language = state.lang) => getJSON(`/styles/${enc(id)}.json${language === "en" ? "?lang=en" : ""}`),
  // The theme named by its content tag may be kept by the browser for good.
  theme: (id, tag) => getJSON(`${plan(id)}/theme${tag ? `?v=${enc(tag)}` : ""}`),
  unit: (code) => getJSON(`/api/v1/units/${enc(code)}`),
  // A clusters plan's cities with their economic circle and bounds.
  cityGroups: async (id) => (await getJSON(`${plan(id)}/units?kind=city&limit=1000&simplify=20000`)).features
    .map((f) => ({ code: f.properties.code, group: f.properties.group, group_en: f.properties.group_en, bbox: bboxOf(f.geometry) })),
  // The ranking for an origin ({lngLat}) or none.
  sites: (id, industry, origin) =>
    getJSON(`${plan(id)}/sites?industry=${enc(industry)}${origin?.lngLat ? `&near=${origin.lngLat.map((v) => v.toFixed(5)).join(",")}` : ""}&limit=100`),
  search: (q, id, signal) => getJSON(`/api/v1/search?q=${enc(q)}&plan=${enc(id)}&limit=8`, { signal }),
  validation: (id) => getJSON(`${plan(id)}/validation?${lang()}`),
  revisions: (id) => getJSON(`${plan(id)}/revisions`),
  revisionDiff: (id, n, against) =>
    getJSON(`${plan(id)}/revisions/${n}/diff?${lang()}${against ? `&against=${against}` : ""}`),
};

// bboxOf is a GeoJSON geometry's bounds.
export function bboxOf(g) {
  if (!g) return null;
  const b = [180, 90, -180, -90];
  const add = (c) => { b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]); b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]); };
  const walk = (x) => (typeof x[0] === "number" ? add(x) : x.forEach(walk));
  walk(g.coordinates);
  return b;
}

const backend = site ? fromSite : fromServer;
export const { plans, industries, tileJSON, style, theme, unit, cityGroups, sites, search, validation, revisions, revisionDiff } = backend;

// The stored plan as a JSON plan file, with its revision's ETag.
export const assignmentsJSON = (id) => request(`${plan(id)}/assignments?format=json`);

// fileType is the Content-Type of a plan file; the server tells the
// formats apart by content, this only keeps the request honest.
export function fileType(name) {
  if (/\.xlsx$/i.test(name)) return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  if (/\.json$/i.test(name)) return "application/json";
  return "text/csv";
}

// diff checks a plan file against the stored plan, storing nothing.
export const diff = (id, body, name) =>
  getJSON(`${plan(id)}/diff?name=${enc(name)}&${lang()}`, { method: "POST", body, headers: { "Content-Type": fileType(name) } });

function writeHeaders(token, etag, type) {
  const h = { Authorization: `Bearer ${token}` };
  if (etag) h["If-Match"] = etag;
  if (type) h["Content-Type"] = type;
  return h;
}

export const put = (id, body, name, { token, etag, force }) =>
  getJSON(`${plan(id)}/assignments?name=${enc(name)}&${lang()}${force ? "&force=true" : ""}`,
    { method: "PUT", body, headers: writeHeaders(token, etag, fileType(name)) });

export const restore = (id, n, { token, etag }) =>
  getJSON(`${plan(id)}/revisions/${n}/restore?${lang()}`, { method: "POST", headers: writeHeaders(token, etag) });
