// The map: MapLibre over the plan's geometry tiles, with the page's own
// style. Units are coloured and marked only through feature-state, set
// by id from the plan's thematic data, so that a new plan revision (or
// a draft) redraws without reloading a single tile.
import * as maplibregl from "../vendor/maplibre-gl.mjs";
import { state, emit } from "./state.js";
import { groupName } from "./i18n.js";

const SRC = "indmap";
// Feature-state is set on both layers that carry units: polygons, and
// the label points that stand for zones known only by a point.
const LAYERS = ["units", "labels"];
const bool = (k) => ["boolean", ["feature-state", k], false];

let map = null;
let hovered = null;
// The last colouring and marks (selected, hl, sev, changed: code →
// value), kept to clear them on the next call and to apply them again
// to a new style.
let painted = null;
const marked = { selected: new Map(), hl: new Map(), sev: new Map(), changed: new Map() };
let originMarker = null;
let hasRegions = false;

export const getMap = () => map;

// The workers start while the plan's data is still on its way.
maplibregl.prewarm?.();

function labelField() {
  if (state.lang !== "en") return ["get", "name"];
  // English names come from the tiles where they carry them, else from
  // the plan's thematic data (by code), else the Chinese name.
  const pairs = (state.theme?.units || []).filter((u) => u.name_en).flatMap((u) => [u.code, u.name_en]);
  const fallback = pairs.length ? ["match", ["get", "code"], ...pairs, ["get", "name"]] : ["get", "name"];
  return ["coalesce", ["get", "name_en"], fallback];
}

// The hatch over units with nothing published. Laying out a pattern
// costs the first render about 0.1 s, so the first style goes without it
// and the layer is added once the coloured map is drawn.
const hatchLayer = {
  id: "units-hatch", type: "fill", source: SRC, "source-layer": "units",
  paint: { "fill-pattern": "hatch", "fill-opacity": ["case", bool("hatch"), 1, 0] },
};
let hatched = false;

function addHatchLayer() {
  hatched = true;
  if (map.getSource(SRC) && !map.getLayer(hatchLayer.id)) map.addLayer(hatchLayer, "borders-line");
  map.once("idle", () => emit("hatched"));
}

function style() {
  const lines = (id, paint, extra = {}) => ({ id, type: "line", source: SRC, "source-layer": "units", paint, ...extra });
  const sev = ["coalesce", ["feature-state", "sev"], ""];
  return {
    version: 8,
    name: state.plan,
    glyphs: `${location.origin}/fonts/{fontstack}/{range}.pbf`,
    sources: { [SRC]: { type: "vector", url: `${location.origin}/tiles/${encodeURIComponent(state.plan)}.json` } },
    layers: [
      { id: "background", type: "background", paint: { "background-color": "#f5f5f4" } },
      {
        id: "units-fill", type: "fill", source: SRC, "source-layer": "units",
        // Cities first, their counties over them.
        layout: { "fill-sort-key": ["match", ["get", "kind"], "city", 0, 1] },
        paint: {
          "fill-color": ["to-color", ["coalesce", ["feature-state", "fill"], "#e7e5e4"]],
          "fill-opacity": ["case", bool("clear"), 0, bool("hover"), 0.95, 0.82],
        },
      },
      ...(hatched ? [hatchLayer] : []),
      {
        id: "borders-line", type: "line", source: SRC, "source-layer": "borders",
        paint: { "line-color": "#57534e", "line-width": ["case", ["boolean", ["get", "outer"], false], 1.6, 0.6] },
      },
      // Outlines nest, widest below: the selection, what a draft changes,
      // then errors and warnings on top, so none hides another.
      lines("units-selected", { "line-color": "#111827", "line-width": ["case", bool("selected"), 5, bool("hover"), 2, 0] }),
      lines("units-changed", { "line-color": "#7c3aed", "line-width": ["case", bool("changed"), 4.5, 0] }),
      // Errors and warnings differ in colour and weight: a warning-only
      // unit is never outlined like an error.
      lines("units-severity", {
        "line-color": ["match", sev, "error", "#dc2626", "warning", "#d97706", "#000000"],
        "line-width": ["match", sev, "error", 2.6, "warning", 1.2, 0],
      }),
      lines("units-highlight", { "line-color": "#db2777", "line-width": ["case", bool("hl"), 2.6, 0] }),
      {
        id: "zones", type: "circle", source: SRC, "source-layer": "labels",
        filter: ["==", ["get", "approximate"], true],
        paint: {
          "circle-radius": 7,
          "circle-color": ["to-color", ["coalesce", ["feature-state", "fill"], "#a8a29e"]],
          "circle-stroke-color": ["case", bool("selected"), "#111827", ["==", sev, "error"], "#dc2626", bool("hl"), "#db2777", "#ffffff"],
          "circle-stroke-width": ["case", bool("selected"), 3, ["==", sev, "error"], 3, bool("hl"), 3, 1.5],
        },
      },
      {
        id: "labels", type: "symbol", source: SRC, "source-layer": "labels",
        layout: {
          "text-field": labelField(), "text-font": ["Noto Sans Regular"], "text-size": 12, "text-max-width": 7,
          "text-offset": ["case", ["==", ["get", "approximate"], true], ["literal", [0, 1.3]], ["literal", [0, 0]]],
        },
        paint: { "text-color": "#1c1917", "text-halo-color": "#ffffff", "text-halo-width": 1.3 },
      },
    ],
  };
}

// Economic circles (Shandong): outlined from the tiles' regions layer
// where they have one, and each named once, at a point the page gives
// (the tiles cut a circle into a piece per tile, each of which would
// repeat its name); a name selects its circle.
function addRegions() {
  const src = map.getSource(SRC);
  hasRegions = !!src?.vectorLayerIds?.includes("regions");
  if (!hasRegions || map.getLayer("regions-line")) return;
  map.addLayer({
    id: "regions-line", type: "line", source: SRC, "source-layer": "regions",
    paint: {
      "line-color": "#4c1d95", "line-dasharray": [3, 2],
      "line-width": ["case", ["==", ["get", "name"], state.region || ""], 3.5, 2],
    },
  }, "zones");
}

// showRegionNames names the plan's economic circles (state.groups).
export function showRegionNames() {
  if (!map?.getSource(SRC)) return; // a style is loading: style.load comes back here
  const g = state.groups;
  const data = {
    type: "FeatureCollection",
    features: g.plan === state.plan ? [...g.points].map(([name, coordinates]) =>
      ({ type: "Feature", properties: { name, label: groupName(name) }, geometry: { type: "Point", coordinates } })) : [],
  };
  const src = map.getSource("region-names");
  if (src) return src.setData(data);
  if (!data.features.length) return;
  map.addSource("region-names", { type: "geojson", data });
  map.addLayer({
    id: "regions-label", type: "symbol", source: "region-names",
    layout: { "text-field": ["get", "label"], "text-font": ["Noto Sans Bold"], "text-size": 15, "text-allow-overlap": true },
    paint: { "text-color": "#4c1d95", "text-halo-color": "#ffffff", "text-halo-width": 2.2 },
  });
}

export function showRegion(name) {
  if (map?.getLayer("regions-line")) map.setPaintProperty("regions-line", "line-width", ["case", ["==", ["get", "name"], name || ""], 3.5, 2]);
}

// A hatch for units with nothing published: diagonal lines, drawn in
// place of an image the server would have to serve.
function hatch() {
  const n = 8;
  const data = new Uint8Array(n * n * 4);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if ((x + y) % n < 1.5) data.set([87, 83, 78, 110], (y * n + x) * 4);
    }
  }
  return { width: n, height: n, data };
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
}

// createMap draws the plan's tiles, framed on its bounds.
export function createMap(container) {
  const b = state.tilejson?.bounds;
  map = new maplibregl.Map({
    container, style: style(), attributionControl: false,
    localIdeographFontFamily: "'Noto Sans CJK SC', 'Noto Sans SC', 'WenQuanYi Micro Hei', 'PingFang SC', 'Microsoft YaHei', sans-serif",
    ...(b ? { bounds: [[b[0], b[1]], [b[2], b[3]]], fitBoundsOptions: { padding: 16 } } : {}),
  });
  // Collapsed to an ⓘ from the start: on a phone the open box covered
  // the southern districts.
  const attribution = new maplibregl.AttributionControl({ compact: true });
  map.addControl(attribution, "bottom-right");
  map.on("load", () => attribution._container?.classList.remove("maplibregl-compact-show"));
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  // The hatch is part of each style: added before any tile is laid out.
  const addHatch = () => { if (!map.hasImage("hatch")) map.addImage("hatch", hatch()); };
  map.on("style.load", () => { addHatch(); reapply(); showRegionNames(); });
  map.once("idle", addHatchLayer);
  map.on("styleimagemissing", (e) => { if (e.id === "hatch") addHatch(); });
  map.on("sourcedata", (e) => {
    if (e.sourceId === SRC && e.isSourceLoaded && !hasRegions) addRegions();
  });
  map.on("mousemove", "units-fill", (e) => {
    map.getCanvas().style.cursor = "pointer";
    const code = e.features[0]?.properties.code;
    if (code !== hovered) {
      if (hovered) setState(hovered, { hover: false });
      hovered = code;
      if (code) setState(code, { hover: true });
    }
  });
  map.on("mouseleave", "units-fill", () => {
    map.getCanvas().style.cursor = "";
    if (hovered) setState(hovered, { hover: false });
    hovered = null;
  });
  map.on("click", (e) => {
    const lngLat = [e.lngLat.lng, e.lngLat.lat];
    // An economic circle's name selects the circle.
    const region = map.getLayer("regions-label") && map.queryRenderedFeatures(e.point, { layers: ["regions-label"] })[0];
    if (region) return emit("map-click", { code: "", lngLat, region: region.properties.name });
    const layers = ["zones", "units-fill"].filter((l) => map.getLayer(l));
    const hits = map.queryRenderedFeatures(e.point, { layers });
    // A zone's point before the polygon under it; a county before its city.
    const hit = hits.find((f) => f.layer.id === "zones") || hits.find((f) => f.properties.kind !== "city") || hits[0];
    emit("map-click", { code: hit?.properties.code || "", lngLat, region: "" });
  });
  return map;
}

// showPlan switches the map to the current plan's tiles, framed on its
// TileJSON's bounds.
export function showPlan(tilejson) {
  hasRegions = false;
  hovered = null;
  painted = null;
  for (const k of Object.keys(marked)) marked[k] = new Map();
  map.setStyle(style(), { diff: false });
  const b = tilejson?.bounds;
  if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 16, duration: 0 });
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

export function setLabels() {
  if (map?.getLayer("labels")) map.setLayoutProperty("labels", "text-field", labelField());
}

export function setOrigin(lngLat) {
  if (!lngLat) {
    originMarker?.remove();
    originMarker = null;
    return;
  }
  if (!originMarker) {
    const el = document.createElement("div");
    el.className = "origin-marker";
    el.setAttribute("aria-hidden", "true");
    originMarker = new maplibregl.Marker({ element: el });
  }
  originMarker.setLngLat(lngLat).addTo(map);
}

// reloadGeometry re-reads the TileJSON, whose tile URLs carry the
// geometry version; feature-state survives.
export function reloadGeometry() {
  map.getSource(SRC)?.setUrl(`${location.origin}/tiles/${encodeURIComponent(state.plan)}.json`);
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

// reveal keeps a clicked point in sight above an open bottom sheet
// (null: the sheet closed, the whole map is seen again).
export function reveal(lngLat) {
  const cover = sheetCover();
  if (lngLat && cover) map.easeTo({ center: lngLat, padding: { top: 0, left: 0, right: 0, bottom: cover }, duration: 300 });
  else if (!lngLat) map.easeTo({ padding: { top: 0, left: 0, right: 0, bottom: 0 }, duration: 300 });
}

export function resize() {
  map?.resize();
}
