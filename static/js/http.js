// fetch with the page's error handling: a failed answer becomes an
// HTTPError carrying its status and problem document.

// An HTTPError carries the answer's status and its problem document.
export class HTTPError extends Error {
  constructor(url, status, body) {
    super(body?.detail || `${url}: HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

// request fetches url; a failed answer throws an HTTPError.
export async function request(url, opts = {}) {
  const r = await fetch(url, opts);
  const type = r.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await r.json() : await r.text();
  if (!r.ok) throw new HTTPError(url, r.status, typeof body === "object" ? body : { detail: body });
  return { body, etag: r.headers.get("ETag") };
}

// getJSON is the body of a successful answer.
export async function getJSON(url, opts) {
  return (await request(url, opts)).body;
}

