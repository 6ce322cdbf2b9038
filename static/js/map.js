// The map: MapLibre over the plan's geometry tiles, drawn with the
// server's style for the plan (/styles/{plan}.json in the page's
// language: state.style), which has every layer, colour and width. The
// page adds only what is its own: units coloured by what they hold
// through feature-state ("fill", "clear") over the style's own colours,
// the hatch's image, the economic circles' name points and the selected
// circle; it marks units through the feature-state the style reads
// (hover, selected, changed, sev, hl, hatch). A new plan revision (or a
// draft) redraws without reloading a single tile.
import * as maplibregl from "../vendor/maplibre-gl.mjs";
import { state, set, emit } from "./state.js";
import { site } from "./api.js";
import { t } from "./i18n.js";
import { tooltipHTML } from "./tooltip.js";

const SRC = "indmap";
// Feature-state is set on both layers that carry units: polygons, and
// the label points that stand for zones known only by a point.
const LAYERS = ["units", "labels"];
const fs = (k) => ["feature-state", k];

let map = null;
let hovered = null;
// The last colouring and marks (selected, hl, sev, changed: code →
// value), kept to clear them on the next call and to apply them again
// to a new style.
let painted = null;
const marked = { selected: new Map(), hl: new Map(), sev: new Map(), changed: new Map() };
let origin = null; // [lon, lat] of the origin of distances, or null
// The style the map draws (as the server sent it), and the circle
// selected.
let drawn = null;
let region = "";

export const getMap = () => map;

// The workers start while the plan's data is still on its way.
maplibregl.prewarm?.();

// A published map reads its tiles from PMTiles archives by HTTP range
// requests (the pmtiles protocol, vendored from npm). It is a classic
// script: loaded once, before the map asks for a tile.
if (site) {
  await new Promise((resolve, reject) => {
    const s = Object.assign(document.createElement("script"), { src: new URL("../vendor/pmtiles.js", import.meta.url).href });
    s.onload = resolve;
    s.onerror = () => reject(new Error("pmtiles.js did not load"));
    document.head.append(s);
  });
  maplibregl.addProtocol("pmtiles", new window.pmtiles.Protocol().tile);
}

// What the page paints over the style's own paint: the colour of what
// a unit holds ("fill", else the style's colour for its role) and "clear"
// for a county drawn only when it holds something.
const overrides = {
  "units-fill": {
    "fill-color": (v) => ["coalesce", fs("fill"), v],
    "fill-opacity": (v) => ["case", ["boolean", fs("clear"), false], 0, v],
  },
  zones: { "circle-color": (v) => ["coalesce", fs("fill"), v] },
};

const hatchOf = (style) => style?.metadata?.["indmap:hatch"];

// The hatch over units with nothing published is laid out once the
// coloured map is first drawn: a pattern costs the first render about
// 0.1 s. The style has the layer, hidden.
let hatched = false;

function showHatch() {
  hatched = true;
  const h = hatchOf(drawn);
  if (h && map.getLayer(h.layer)) map.setLayoutProperty(h.layer, "visibility", "visible");
  map.once("idle", () => emit("hatched"));
}

// own is the page's part of every style the map loads (MapLibre's
// transformStyle): the overrides, the hatch once shown, the circles'
// names. The served style itself is left as it is. The optional raster
// basemap (--basemap-url) stays out, as it always has: the page's
// Content-Security-Policy lets it fetch only from its own server.
function own(_, served) {
  const h = hatchOf(served);
  const layers = served.layers.filter((l) => l.source !== "basemap").map((l) => {
    const o = overrides[l.id];
    if (o) {
      const paint = { ...l.paint };
      for (const [k, wrap] of Object.entries(o)) paint[k] = wrap(paint[k]);
      return { ...l, paint };
    }
    if (hatched && l.id === h?.layer) return { ...l, layout: { ...l.layout, visibility: "visible" } };
    return l;
  });
  const sources = { ...served.sources };
  delete sources.basemap;
  if (sources["region-names"]) sources["region-names"] = { ...sources["region-names"], data: regionNames() };
  if (sources.origin) sources.origin = { ...sources.origin, data: originData() };
  return { ...served, layers, sources };
}

// regionNames are the plan's economic circles (state.groups), each
// named once, at a point the page gives: a name selects its circle.
function regionNames() {
  const g = state.groups;
  return {
    type: "FeatureCollection",
    features: g.plan === state.plan ? [...g.points].map(([name, coordinates]) =>
      ({ type: "Feature", properties: { name, name_en: g.en.get(name) || "" }, geometry: { type: "Point", coordinates } })) : [],
  };
}

// showRegionNames puts the circles' names on the map (the style has
// their layer, for a plan whose tiles have regions).
export function showRegionNames() {
  map?.getSource("region-names")?.setData(regionNames());
}

// showRegion draws the selected circle's outline wider (the style's
// global state "region").
export function showRegion(name) {
  region = name || "";
  if (map?.getLayer("regions-line")) map.setGlobalStateProperty("region", region);
}

// hatch is the pattern the metadata describes: diagonal lines n pixels
// apart, drawn in place of an image the server would have to serve.
export function hatch(h) {
  const n = h.size;
  const ctx = Object.assign(document.createElement("canvas"), { width: n, height: n }).getContext("2d");
  ctx.fillStyle = h.colour;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) if ((x + y) % n < h.width) ctx.fillRect(x, y, 1, 1);
  }
  return ctx.getImageData(0, 0, n, n);
}

// Feature ids by unit code, from the thematic data in use.
let idTheme = null;
let idsByCode = new Map();

function setState(code, values) {
  if (idTheme !== state.theme) {
    idTheme = state.theme;
    idsByCode = new Map((state.theme?.units || []).map((u) => [u.code, u.id]));
  }
  const id = idsByCode.get(code);
  // Before the style has its source (it loads asynchronously), nothing
  // is set: style.load applies everything again.
  if (id === undefined || !map.getSource(SRC)) return;
  for (const sourceLayer of LAYERS) map.setFeatureState({ source: SRC, sourceLayer, id }, values);
}

function reapply() {
  if (painted) paint(painted);
  for (const [key, values] of Object.entries(marked)) {
    for (const [code, v] of values) setState(code, { [key]: v });
  }
  showRegion(region);
}

// framePadding is the margin around the plan's extent when the map
// shows all of it; on a phone wider at the sides, where a name centred
// near the edge ran off it ("ongchuan").
const framePadding = () => (state.embed ? { top: 16, left: 16, right: 16, bottom: 44 } : matchMedia("(max-width: 700px)").matches ? { top: 16, bottom: 16, left: 28, right: 28 } : 16);

// createMap draws the plan's tiles with its style, framed on its bounds.
export function createMap(container) {
  const b = state.tilejson?.bounds;
  drawn = state.style;
  map = new maplibregl.Map({
    container, style: drawn, transformStyle: own, attributionControl: false,
    localIdeographFontFamily: "'Noto Sans CJK SC', 'Noto Sans SC', 'WenQuanYi Micro Hei', 'PingFang SC', 'Microsoft YaHei', sans-serif",
    // A shared link's view, else the plan's bounds.
    ...(state.camera ? { center: state.camera.center, zoom: state.camera.zoom }
      // Embedded, the folded legend's button keeps the bottom row.
      : b ? { bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: framePadding() } } : {}),
  });
  // The view goes into the URL (rewriting the current entry, not adding
  // one), so a link shared shows what its sender saw.
  map.on("moveend", () => {
    const c = map.getCenter();
    const camera = { center: [c.lng, c.lat], zoom: map.getZoom() };
    if (!sameCamera(state.camera, camera)) set({ camera });
  });
  // Collapsed to an ⓘ from the start: on a phone the open box covered
  // the southern districts.
  const attribution = new maplibregl.AttributionControl({ compact: true });
  map.addControl(attribution, "bottom-right");
  map.on("load", () => attribution._container?.classList.remove("maplibregl-compact-show"));
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  localiseControls();
  // The hatch's image is part of each style: added before any tile is
  // laid out.
  const addHatch = () => {
    const h = hatchOf(drawn);
    if (h && !map.hasImage(h.image)) map.addImage(h.image, hatch(h));
  };
  map.on("style.load", () => { addHatch(); reapply(); });
  map.once("idle", showHatch);
  map.on("styleimagemissing", (e) => { if (e.id === hatchOf(drawn)?.image) addHatch(); });
  // Hovering names any unit and what it holds (a zone's dot before the
  // polygon under it, a county before its city), in a tooltip that
  // follows the pointer.
  const tip = new maplibregl.Popup({ closeButton: false, closeOnClick: false, offset: 14, className: "unit-tip", maxWidth: "18rem" });
  map.on("mousemove", (e) => {
    const layers = ["zones", "units-fill"].filter((l) => map.getLayer(l));
    const hits = layers.length ? map.queryRenderedFeatures(e.point, { layers }) : [];
    const hit = hits.find((f) => f.layer.id === "zones") || hits.find((f) => f.properties.kind !== "city") || hits[0];
    const code = hit?.properties.code || null;
    map.getCanvas().style.cursor = code ? "pointer" : "";
    if (code !== hovered) {
      if (hovered) setState(hovered, { hover: false });
      hovered = code;
      if (code) setState(code, { hover: true });
    }
    const html = code ? tooltipHTML(code) : "";
    if (!html) return tip.remove();
    tip.setLngLat(e.lngLat).setHTML(html);
    if (!tip.isOpen()) tip.addTo(map);
  });
  map.getCanvas().addEventListener("mouseleave", () => {
    map.getCanvas().style.cursor = "";
    if (hovered) setState(hovered, { hover: false });
    hovered = null;
    tip.remove();
  });
  map.on("click", (e) => {
    // A tap (no hover) leaves no tooltip over the sheet it opens.
    if (matchMedia("(hover: none)").matches) tip.remove();
    const lngLat = [e.lngLat.lng, e.lngLat.lat];
    // An economic circle's name selects the circle.
    const named = map.getLayer("regions-label") && map.queryRenderedFeatures(e.point, { layers: ["regions-label"] })[0];
    if (named) return emit("map-click", { code: "", lngLat, region: named.properties.name });
    const layers = ["zones", "units-fill"].filter((l) => map.getLayer(l));
    const hits = map.queryRenderedFeatures(e.point, { layers });
    // A zone's point before the polygon under it; a county before its city.
    const hit = hits.find((f) => f.layer.id === "zones") || hits.find((f) => f.properties.kind !== "city") || hits[0];
    // The units drawn under the point contain it: distances to them are 0.
    const inside = [...new Set(hits.filter((f) => f.layer.id === "units-fill").map((f) => f.properties.code))];
    emit("map-click", { code: hit?.properties.code || "", lngLat, region: "", inside });
  });
  return map;
}

// showPlan switches the map to another plan's style and tiles, framed
// on its TileJSON's bounds.
export function showPlan(style, tilejson) {
  hovered = null;
  painted = null;
  region = "";
  for (const k of Object.keys(marked)) marked[k] = new Map();
  drawn = style;
  map.setStyle(style, { diff: false });
  const b = tilejson?.bounds;
  if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 16, duration: 0 });
}

// replaceStyle draws a style whose tiles moved (a published map's new
// archive): a full reload, feature-state applied again on style.load.
export function replaceStyle(style) {
  if (!map) return;
  hovered = null;
  drawn = style;
  map.setStyle(style, { diff: false });
}

// useStyle draws the plan's style anew (in another language): MapLibre
// applies only what differs, the tiles and feature-state stay.
export function useStyle(style) {
  if (!map || style === drawn) return;
  drawn = style;
  map.setStyle(style);
}

// paint applies a colouring (see colouring.js) to every unit.
export function paint(col) {
  painted = col;
  for (const [code, c] of col.units) {
    setState(code, c.clear ? { fill: null, hatch: false, clear: true } : { fill: c.fill, hatch: c.hatch, clear: false });
  }
}

// mark sets a boolean or valued mark (selected, hl, sev, changed) on
// the given units, clearing it from the others.
export function mark(key, values) {
  const next = values instanceof Map ? values : new Map([...(values || [])].filter(Boolean).map((c) => [c, true]));
  for (const code of marked[key].keys()) if (!next.has(code)) setState(code, { [key]: null });
  for (const [code, v] of next) setState(code, { [key]: v });
  marked[key] = next;
}

// setOrigin puts the origin of distances on the map: the style's
// "origin" layer, under the labels (a marker would hide names).
export function setOrigin(lngLat) {
  origin = lngLat || null;
  map?.getSource("origin")?.setData(originData());
}

function originData() {
  return { type: "FeatureCollection", features: origin ? [{ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: origin } }] : [] };
}

// reloadGeometry re-reads the TileJSON, whose tile URLs carry the
// geometry version; feature-state survives.
export function reloadGeometry() {
  map.getSource(SRC)?.setUrl(drawn.sources[SRC].url);
}

// sheetCover: on a phone the side panel, open, is a bottom sheet over
// the lower part of the map (--sheet-open of the screen below the
// header); what the map shows then stays above it.
function sheetCover() {
  if (!matchMedia("(max-width: 700px)").matches || !document.body.classList.contains("sheet-open")) return 0;
  const main = document.querySelector("main").getBoundingClientRect();
  const open = parseFloat(getComputedStyle(document.body).getPropertyValue("--sheet-open")) / 100 || 0;
  return Math.max(0, map.getContainer().getBoundingClientRect().bottom - (main.bottom - main.height * open));
}

const pad = (n) => ({ top: n, left: n, right: n, bottom: n + sheetCover() });

// frame shows a unit: its bounding box, or a point.
export function frame(bbox, point) {
  if (bbox && (bbox[2] - bbox[0] > 1e-6 || bbox[3] - bbox[1] > 1e-6)) {
    map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { padding: pad(48), maxZoom: 9, duration: 500 });
  } else if (point) {
    map.flyTo({ center: point, zoom: Math.max(map.getZoom(), 9), padding: pad(0), duration: 500 });
  }
}

// allDrawn reports whether every unit of codes is drawn in the view.
export function allDrawn(codes) {
  const layers = ["zones", "units-fill"].filter((l) => map?.getLayer(l));
  if (!layers.length) return false;
  const seen = new Set(map.queryRenderedFeatures({ layers }).map((f) => String(f.properties.code)));
  return codes.every((c) => seen.has(c));
}

// reveal keeps a clicked point in sight above an open bottom sheet
// (null: the sheet closed, the whole map is seen again).
export function reveal(lngLat) {
  // After a move under way (a place flown to): easing now would stop it.
  if (map.isMoving()) return void map.once("moveend", () => reveal(lngLat));
  const cover = sheetCover();
  if (lngLat && cover) map.easeTo({ center: lngLat, padding: { top: 0, left: 0, right: 0, bottom: cover }, duration: 300 });
  else if (!lngLat) map.easeTo({ padding: { top: 0, left: 0, right: 0, bottom: 0 }, duration: 300 });
}

// localiseControls gives MapLibre's own controls the page's language
// (MapLibre names them in English): their titles and labels for screen
// readers.
export function localiseControls() {
  if (!map) return;
  const c = map.getContainer();
  for (const [sel, key] of [[".maplibregl-ctrl-zoom-in", "zoomIn"], [".maplibregl-ctrl-zoom-out", "zoomOut"], [".maplibregl-ctrl-attrib-button", "attribution"]]) {
    for (const el of c.querySelectorAll(sel)) {
      el.title = t(key);
      el.setAttribute("aria-label", t(key));
    }
  }
  c.querySelector(".maplibregl-canvas")?.setAttribute("aria-label", t("map"));
}

// sameCamera: two views alike to the URL's precision.
function sameCamera(a, b) {
  return !!a && !!b && Math.abs(a.center[0] - b.center[0]) < 1e-5 && Math.abs(a.center[1] - b.center[1]) < 1e-5 && Math.abs(a.zoom - b.zoom) < 0.01;
}

// applyCamera moves the map to a view the URL gave (Back, Forward)
// unless it is there; to the plan's whole extent, as first opened,
// where the URL gives none (the first entry, before the map moved).
export function applyCamera(camera) {
  if (!map) return;
  if (!camera) {
    const b = state.tilejson?.bounds;
    if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: framePadding(), animate: false });
    return;
  }
  const c = map.getCenter();
  if (!sameCamera(camera, { center: [c.lng, c.lat], zoom: map.getZoom() })) map.jumpTo({ center: camera.center, zoom: camera.zoom });
}

export function resize() {
  map?.resize();
}
