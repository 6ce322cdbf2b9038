// The API client: every request the page makes goes through here.
import { state } from "./state.js";

const enc = encodeURIComponent;

// An HTTPError carries the answer's status and its problem document.
export class HTTPError extends Error {
  constructor(url, status, body) {
    super(body?.detail || `${url}: HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function request(url, opts = {}) {
  const r = await fetch(url, opts);
  const type = r.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await r.json() : await r.text();
  if (!r.ok) throw new HTTPError(url, r.status, typeof body === "object" ? body : { detail: body });
  return { body, etag: r.headers.get("ETag") };
}

export async function getJSON(url, opts) {
  return (await request(url, opts)).body;
}

const plan = (id) => `/api/v1/plans/${enc(id)}`;
// Reports and rule messages come in the page's language.
const lang = () => `lang=${state.lang}`;

export const plans = () => getJSON("/api/v1/plans");
export const industries = (id) => getJSON(`/api/v1/industries?plan=${enc(id)}`);
export const tileJSON = (id) => getJSON(`/tiles/${enc(id)}.json`);
// The plan's map style, labels in the page's language.
export const style = (id, language = state.lang) => getJSON(`/styles/${enc(id)}.json${language === "en" ? "?lang=en" : ""}`);
// The theme named by its content tag may be kept by the browser for good.
export const theme = (id, tag) => getJSON(`${plan(id)}/theme${tag ? `?v=${enc(tag)}` : ""}`);
export const unit = (code) => getJSON(`/api/v1/units/${enc(code)}`);
export const planUnits = (id, query) => getJSON(`${plan(id)}/units?${query}`);
export const sites = (id, industry, near) =>
  getJSON(`${plan(id)}/sites?industry=${enc(industry)}${near ? `&near=${near.map((v) => v.toFixed(5)).join(",")}` : ""}&limit=100`);
export const search = (q, id, signal) => getJSON(`/api/v1/search?q=${enc(q)}&plan=${enc(id)}&limit=8`, { signal });
export const validation = (id) => getJSON(`${plan(id)}/validation?${lang()}`);
export const revisions = (id) => getJSON(`${plan(id)}/revisions`);
export const revisionDiff = (id, n, against) =>
  getJSON(`${plan(id)}/revisions/${n}/diff?${lang()}${against ? `&against=${against}` : ""}`);

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
