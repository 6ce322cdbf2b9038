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
  const out = sites.map((s) => ({ ...s, reasons: { ...s.reasons } }));
  if (origin?.lngLat) {
    const inside = new Set(origin.inside || []);
    for (const s of out) {
      s.distance_km = inside.has(s.code) ? 0 : distanceKm(origin.lngLat, s.label);
      s.reasons.distance = { km: s.distance_km, measure: "straight_line", to: inside.has(s.code) ? "inside" : "label" };
    }
  }
  out.sort((a, b) => rankOrder(a, b) || cmp(a.code, b.code));
  out.forEach((s, i) => {
    s.rank = i > 0 && rankOrder(out[i - 1], s) === 0 ? out[i - 1].rank : i + 1;
  });
  return out;
}

// rankOrder is api/sites.go's rankOrder: role, then whether neighbours
// hold it, then distance (with an origin), then how many neighbours.
function rankOrder(a, b) {
  const has = (s) => (s.neighbours || []).length > 0;
  if (a.role !== b.role) return a.role === "main" ? -1 : 1;
  if (has(a) !== has(b)) return has(a) ? -1 : 1;
  if (a.distance_km != null && a.distance_km !== b.distance_km) return a.distance_km - b.distance_km;
  return b.neighbours.length - a.neighbours.length;
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

// matchIn is how query fq matches key k (0 exact, 1 prefix, 2 substring,
// 3 none) where a Latin query may start only at the key's starts (null:
// anywhere), as plan/search's Query reads its keys.
function matchIn(k, starts, fq, lat) {
  let best = 3;
  for (let at = k.indexOf(fq); at >= 0; at = k.indexOf(fq, at + 1)) {
    if (lat && starts && !starts.includes(new TextEncoder().encode(k.slice(0, at)).length)) continue;
    const m = at === 0 ? (k.length === fq.length ? 0 : 1) : 2;
    if (m < best) best = m;
  }
  return best;
}

const typeRank = { unit: 0, industry: 1, cluster: 2 };

// searchEntries answers a query within plan over published entries
// ({sort, keys, starts, plans, ...result}) as the server's Search does:
// the plan's own first, then those of other plans (naming them in
// other_plans; an entry of no plan is left out), names before units'
// wording of their picks, then the best match
// (exact, prefix, substring), then by folded English name, units,
// industries, clusters, regions, then plan, code and matched text; one
// result per thing.
// place is plan/search's Place: a query typed as coordinates, latitude
// first unless the first number cannot be one or is over 60 and larger.
export function place(q) {
  const m = /^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,，\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$/.exec(q);
  if (!m) return null;
  const a = Number(m[1]), b = Number(m[2]);
  let lat = a, lon = b;
  if (Math.abs(a) > 90 || (Math.abs(b) <= 90 && Math.abs(a) > Math.abs(b) && a > 60)) [lat, lon] = [b, a];
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  const name = `${lat}, ${lon}`;
  return { type: "place", kind: "place", code: name, name, name_en: name, match: "exact", lon, lat, label: [lon, lat] };
}

export function searchEntries(all, q, limit, plan) {
  const p = place(q);
  if (p) return { results: [p], matched: 1 };
  // Named places come after the plan's own things, and only those within
  // the plan's units (readmodel's Search).
  const things = query(all.filter((e) => e.type !== "place"), q, limit, plan);
  const places = query(all.filter((e) => e.type === "place" && (e.plans || []).includes(plan)), q, Math.max(limit - things.results.length, 0), plan);
  return { results: [...things.results, ...places.results], matched: things.matched + places.matched };
}

function query(all, q, limit, plan) {
  const entries = [];
  for (const e of all) {
    const plans = e.plans || [];
    if (plans.includes(plan)) entries.push({ ...e, other_plans: undefined });
    else if (plans.length) entries.push({ ...e, other_plans: plans.filter((p) => p !== plan) });
  }
  const fq = fold(q);
  if (!fq) return { results: [], matched: 0 };
  const lat = /^[\x00-\x7f]*$/.test(fq);
  const hits = [];
  for (const e of entries) {
    let best = 3;
    e.keys.forEach((k, i) => {
      best = Math.min(best, matchIn(k, e.starts?.[i], fq, lat));
    });
    if (best < 3) hits.push([best, e]);
  }
  const tier = (e) => ((e.other_plans || []).length ? 1 : 0);
  const type = (e) => typeRank[e.type] ?? 3;
  const via = (e) => (e.matched_text ? 1 : 0);
  hits.sort(([ma, a], [mb, b]) => tier(a) - tier(b) || via(a) - via(b) || ma - mb || cmp(a.sort, b.sort) || type(a) - type(b) ||
    cmp(a.plan || "", b.plan || "") || cmp(a.code, b.code) || cmp(a.matched_text || "", b.matched_text || ""));
  const seen = new Set();
  const results = [];
  for (const [m, e] of hits) {
    const thing = `${e.type}\u0000${e.code}\u0000${e.type === "unit" ? "" : e.plan || ""}`;
    if (seen.has(thing)) continue;
    seen.add(thing);
    if (results.length < limit) {
      const { sort: _s, keys: _k, starts: _st, plans: _p, ...r } = e;
      results.push({ ...r, match: matches[m] });
    }
  }
  return { results, matched: seen.size };
}
