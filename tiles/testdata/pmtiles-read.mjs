// Reads a PMTiles archive with the pmtiles npm package, the reader behind
// MapLibre's pmtiles:// protocol (TestExportPMTiles runs it): prints one
// JSON object with the archive's header, its metadata and the tiles asked
// for, each as base64 of its bytes as the package returns them
// (decompressed), or null where the archive has no such tile.
//
//   node pmtiles-read.mjs ARCHIVE Z/X/Y...
import { openAsBlob } from "node:fs";
import { basename } from "node:path";
import { FileSource, PMTiles } from "pmtiles";

const [archive, ...wanted] = process.argv.slice(2);
// The package's own FileSource, over a File backed by the file on disk.
const file = new File([await openAsBlob(archive)], basename(archive));
const pm = new PMTiles(new FileSource(file));
const out = { header: await pm.getHeader(), metadata: await pm.getMetadata(), tiles: {} };
for (const zxy of wanted) {
  const [z, x, y] = zxy.split("/").map(Number);
  const tile = await pm.getZxy(z, x, y);
  out.tiles[zxy] = tile ? Buffer.from(tile.data).toString("base64") : null;
}
process.stdout.write(JSON.stringify(out));
