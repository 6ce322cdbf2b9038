// One round of geojson-vt + vt-pbf on the tiles indmap's BenchmarkVTRatio
// builds: node vt.mjs INPUT.json TILES.txt [units]. INPUT holds the layers
// indmap's tiles have (units, borders, labels: lon/lat, indmap's
// properties) and those shown by zoom (places and rivers, each set with
// the zoom it shows from); with "units", only the units layer is made.
// Prints, as JSON, the milliseconds from the indexes' creation to the
// last tile encoded and gzipped (reading and parsing the file are not
// counted: indmap's polygons are in memory too), and what was made.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import geojsonvt from "geojson-vt";
import vtpbf from "vt-pbf";

const [input, list, only] = process.argv.slice(2);
const data = JSON.parse(readFileSync(input, "utf8"));
const tiles = readFileSync(list, "utf8").trim().split("\n").map((l) => l.split("/").map(Number));
const maxZoom = Math.max(...tiles.map((t) => t[0]));
const layerNames = only === "units" ? ["units"] : Object.keys(data.layers);
const byZoom = only === "units" ? [] : data.byzoom || [];

const start = performance.now();
// indmap's extent and buffer (tiles/index.go), the tiles' deepest zoom.
const options = { maxZoom, extent: 4096, buffer: 64, indexMaxZoom: 5 };
const indexes = layerNames.map((name) => [name, geojsonvt(data.layers[name], options)]);
const zoomIndexes = byZoom.map((s) => [s.layer, s.minzoom, geojsonvt(s.data, options)]);
let made = 0, layers = 0, bytes = 0, features = 0;
for (const [z, x, y] of tiles) {
  const out = {};
  for (const [name, index] of indexes) {
    const tile = index.getTile(z, x, y);
    if (tile && tile.features.length > 0) out[name] = tile;
  }
  for (const [name, minzoom, index] of zoomIndexes) {
    const tile = z >= minzoom && index.getTile(z, x, y);
    if (tile && tile.features.length > 0) (out[name] ||= { features: [] }).features.push(...tile.features);
  }
  const names = Object.keys(out);
  if (names.length === 0) continue;
  const pbf = vtpbf.fromGeojsonVt(out, { version: 2, extent: 4096 });
  bytes += gzipSync(pbf).length;
  for (const name of names) features += out[name].features.length;
  layers += names.length;
  made++;
}
const ms = performance.now() - start;
console.log(JSON.stringify({ ms, tiles: made, layers, bytes, features }));
