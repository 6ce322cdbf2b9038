// One round of geojson-vt + vt-pbf on the tiles indmap's BenchmarkVTRatio
// builds: node vt.mjs POLYGONS.geojson TILES.txt. Prints, as JSON, the
// milliseconds from the index's creation to the last tile encoded and
// gzipped (reading and parsing the file are not counted: indmap's
// polygons are in memory too), and what was made.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import geojsonvt from "geojson-vt";
import vtpbf from "vt-pbf";

const [polygons, list] = process.argv.slice(2);
const data = JSON.parse(readFileSync(polygons, "utf8"));
const tiles = readFileSync(list, "utf8").trim().split("\n").map((l) => l.split("/").map(Number));
const maxZoom = Math.max(...tiles.map((t) => t[0]));

const start = performance.now();
// indmap's extent and buffer (tiles/index.go), the tiles' deepest zoom.
const index = geojsonvt(data, { maxZoom, extent: 4096, buffer: 64, indexMaxZoom: 5 });
let made = 0, bytes = 0, features = 0;
for (const [z, x, y] of tiles) {
  const tile = index.getTile(z, x, y);
  if (!tile) continue;
  const pbf = vtpbf.fromGeojsonVt({ units: tile }, { version: 2, extent: 4096 });
  bytes += gzipSync(pbf).length;
  features += tile.features.length;
  made++;
}
const ms = performance.now() - start;
console.log(JSON.stringify({ ms, tiles: made, layers: made, bytes, features }));
