// "Export this view": the map as drawn, with the plan's title, the
// industry shown, the date, the legend and the data's credit, as a PNG
// to download, or on a page of its own to print (to PDF).
import { state } from "./state.js";
import { t, nameOf, planTitle } from "./i18n.js";
import { colouring, industryOf, palette } from "./colouring.js";
import { hatch } from "./map.js";

// mapImage waits for the next frame the map draws and copies it then
// (a WebGL canvas is cleared once the frame is shown).
function mapImage(map) {
  return new Promise((resolve) => {
    map.once("render", () => resolve(map.getCanvas().toDataURL("image/png")));
    map.triggerRepaint();
  });
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = reject;
    img.src = url;
  });
}

// compose draws the view: a header (title, industry, date), the map, and
// a footer (legend with counts, the map's credit).
export async function compose(map) {
  const img = await loadImage(await mapImage(map));
  const dpr = img.width / map.getCanvas().clientWidth || 1;
  const col = colouring();
  const pad = 14 * dpr, line = 20 * dpr;
  const credit = [...map.getContainer().querySelectorAll(".maplibregl-ctrl-attrib-inner")].map((e) => e.textContent).join(" ").trim();
  const rows = col.classes.length;
  const font = (px, bold) => `${bold ? "600 " : ""}${px * dpr}px 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif`;
  // The credit on as many lines as it takes at a readable size (squeezed
  // into one, it could not be read).
  const c = document.createElement("canvas");
  c.width = img.width;
  const g = c.getContext("2d");
  g.font = font(11);
  const small = 15 * dpr;
  const creditLines = wrap(g, `${t("sources")}: ${credit || "indmap"}`, c.width - 2 * pad);
  const header = pad * 2 + line * 2;
  const footer = pad * 2 + line * (Math.ceil(rows / 2) + 1) + small * creditLines.length;
  c.height = img.height + header + footer;
  // The style's colours: labels' text on their halo, swatches outlined
  // as borders are.
  const ink = palette();
  g.fillStyle = ink.halo;
  g.fillRect(0, 0, c.width, c.height);
  g.fillStyle = ink.label;
  g.font = font(17, true);
  g.textBaseline = "top";
  const p = state.plans.find((x) => x.id === state.plan);
  g.fillText(planTitle(p), pad, pad);
  g.font = font(13);
  const ind = industryOf(state.industry);
  const today = new Date().toISOString().slice(0, 10);
  g.fillText(`${ind ? nameOf(ind) : t("overview")} · ${today} · v${state.theme?.data_version ?? ""}`, pad, pad + line);
  g.drawImage(img, 0, header);
  let y = header + img.height + pad;
  g.font = font(13, true);
  g.fillText(col.title, pad, y);
  y += line;
  g.font = font(12);
  col.classes.forEach((k, i) => {
    const x = pad + (i % 2) * (c.width / 2), yy = y + Math.floor(i / 2) * line;
    g.fillStyle = k.colour;
    g.fillRect(x, yy + 2 * dpr, 14 * dpr, 12 * dpr);
    // Hatched as the map draws "nothing published": a flat swatch would
    // read as "not held".
    if (k.hatch) hatchRect(g, x, yy + 2 * dpr, 14 * dpr, 12 * dpr, dpr);
    g.strokeStyle = ink.border;
    g.strokeRect(x, yy + 2 * dpr, 14 * dpr, 12 * dpr);
    g.fillStyle = ink.label;
    g.fillText(`${k.label} (${k.count})`, x + 20 * dpr, yy);
  });
  y += Math.ceil(rows / 2) * line;
  g.fillStyle = ink.label;
  g.font = font(11);
  creditLines.forEach((l, i) => g.fillText(l, pad, y + i * small));
  return c;
}

// wrap breaks text into lines no wider than width in g's font: at spaces
// where there are some, else anywhere (Chinese).
function wrap(g, text, width) {
  const lines = [];
  let cur = "";
  for (const piece of text.match(/\S+\s*|\s+/g) || []) {
    if (cur && g.measureText(cur + piece).width > width) {
      lines.push(cur.trimEnd());
      cur = "";
    }
    for (const ch of piece) {
      if (cur && g.measureText(cur + ch).width > width) {
        lines.push(cur);
        cur = "";
      }
      cur += ch;
    }
  }
  if (cur.trim()) lines.push(cur.trimEnd());
  return lines;
}

// hatchRect draws the style's hatch (the map's own pattern, scaled to
// the image's pixels) over a swatch.
function hatchRect(g, x, y, w, h, dpr) {
  const spec = state.style?.metadata?.["indmap:hatch"];
  if (!spec) return;
  const tile = Object.assign(document.createElement("canvas"), { width: spec.size, height: spec.size });
  tile.getContext("2d").putImageData(hatch(spec), 0, 0);
  const pattern = g.createPattern(tile, "repeat");
  pattern.setTransform(new DOMMatrix().scale(dpr));
  g.save();
  g.fillStyle = pattern;
  g.fillRect(x, y, w, h);
  g.restore();
}

// exportPNG downloads the composed view.
export async function exportPNG(map) {
  const c = await compose(map);
  const url = c.toDataURL("image/png");
  const a = document.createElement("a");
  a.href = url;
  a.download = `${state.plan}${state.industry ? `-${state.industry}` : ""}.png`;
  document.body.append(a);
  a.click();
  a.remove();
  return { width: c.width, height: c.height, url };
}

// printView opens the composed view on a page of its own and prints it
// (the browser's print dialog saves PDF).
export async function printView(map) {
  const url = (await compose(map)).toDataURL("image/png");
  const w = open("", "_blank");
  if (!w) return;
  w.document.write(`<!doctype html><title>${planTitle(state.plans.find((x) => x.id === state.plan))}</title>` +
    `<style>body{margin:0}img{width:100%}</style><img src="${url}" onload="print()">`);
  w.document.close();
}
