// What a published map (indmap publish) computes in the browser that a
// server computes otherwise: the order of an industry's sites once an
// origin is chosen, and name search. Both follow the server's code
// (api/sites.go Sites, plan/search Query) rule for rule; the published
// data carries everything else (roles, neighbours, folded keys), made by
// the server. A browser test compares the two on the same data.

const rad = (d) => (d * Math.PI) / 180;
const EARTH_RADIUS = 6378137; // orb.EarthRadius

// distanceKm is orb's geo.Distance (an equirectangular approximation),
// in kilometres, rounded to metres as the server rounds it.
export function distanceKm(p1, p2) {
  const dLat = rad(p1[1] - p2[1]);
  let dLon = Math.abs(rad(p1[0] - p2[0]));
  if (dLon > Math.PI) dLon = 2 * Math.PI - dLon;
  const x = dLon * Math.cos(rad((p1[1] + p2[1]) / 2));
  return Math.round((Math.sqrt(dLat * dLat + x * x) * EARTH_RADIUS) / 1000 * 1000) / 1000;
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// rankSites orders an industry's published sites (the server's order
// with no origin) for an origin: {lngLat, inside: codes of the units
// containing it}. Distances are 0 inside a unit, else to its label.
export function rankSites(sites, origin) {
  const out = sites.map((s) => ({ ...s }));
  if (origin?.lngLat) {
    const inside = new Set(origin.inside || []);
    for (const s of out) s.distance_km = inside.has(s.code) ? 0 : distanceKm(origin.lngLat, s.label);
  }
  const has = (s) => (s.neighbours || []).length > 0;
  return out.sort((a, b) => {
    if (a.role !== b.role) return a.role === "main" ? -1 : 1;
    if (has(a) !== has(b)) return has(a) ? -1 : 1;
    if (a.distance_km != null && a.distance_km !== b.distance_km) return a.distance_km - b.distance_km;
    if (a.neighbours.length !== b.neighbours.length) return b.neighbours.length - a.neighbours.length;
    return cmp(a.code, b.code);
  });
}

const mark = /\p{Mn}/u;
const kept = /[\p{L}\p{Nd}]/u;

// fold is plan/search's Fold: letters and digits in lower case, without
// accents, spaces or punctuation, ü and v as u, after NFKD.
export function fold(s) {
  let out = "";
  for (const ch of String(s).normalize("NFKD")) {
    if (mark.test(ch)) continue;
    if (ch === "v" || ch === "V") out += "u";
    else if (kept.test(ch)) out += ch.toLowerCase();
  }
  return out;
}

const matches = ["exact", "prefix", "substring"];

// searchEntries answers a query over published entries ({sort, keys,
// ...result}) as the server's Query does: best match first (exact,
// prefix, substring), then by folded English name, units before
// industries, then plan and code.
export function searchEntries(entries, q, limit) {
  const fq = fold(q);
  if (!fq) return { results: [], matched: 0 };
  const hits = [];
  for (const e of entries) {
    let best = 3;
    for (const k of e.keys) {
      const m = k === fq ? 0 : k.startsWith(fq) ? 1 : k.includes(fq) ? 2 : 3;
      if (m < best) best = m;
    }
    if (best < 3) hits.push([best, e]);
  }
  const type = (e) => (e.type === "unit" ? 0 : 1);
  hits.sort(([ma, a], [mb, b]) => ma - mb || cmp(a.sort, b.sort) || type(a) - type(b) || cmp(a.plan || "", b.plan || "") || cmp(a.code, b.code));
  const results = hits.slice(0, limit).map(([m, e]) => {
    const { sort: _s, keys: _k, ...r } = e;
    return { ...r, match: matches[m] };
  });
  return { results, matched: hits.length };
}
