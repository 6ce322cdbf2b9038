// UI strings (Chinese by default, English on request) and the names of
// things in the current language: units, industries, plans, levels.
import { state } from "./state.js";

const zh = {
  title: "产业地图", plan: "规划", search: "查找", searchPlaceholder: "区县、城镇、产业或坐标（中文、拼音、英文）",
  investor: "投资选址", matrix: "产业矩阵", planner: "规划审查", embed: "嵌入", close: "关闭", menu: "菜单",
  langSwitch: "English", map: "地图", side: "详情", more: "展开", less: "收起",
  noMatch: (q) => `没有与“${q}”匹配的区县或产业`, searching: "查找中…", unitResult: "区县", industryResult: "产业", clusterResult: "集群", placeResult: "坐标（设为起点）", inPlan: (p) => `在“${p}”中`,
  placeNamed: "地点（设为起点）", airport: "机场", county_seat: "县城", town: "乡镇", settlement: "居民点", neighbourhood: "街区", placeSource: "地名来自",
  colourBy: "着色", overview: "总览（不选产业）", industries: "产业",
  noHolder: "暂无区县", holders: (n) => `${n} 个`,
  coverage: (a, n) => `${n} 个单元中 ${a} 个有公开的产业布局`,
  coverageKinds: (parts) => parts.join("；"), coverageKind: (a, n, kind) => `${n} 个${kind}中 ${a} 个有集群`,
  coverageWithin: (a, w, n, kind) => `${n} 个${kind}中 ${a ? `${a} 个有集群、` : ""}${w} 个位于有集群的城市`,
  overviewPicks: "按主导产业的最高层级着色", overviewClusters: "按所在集群的最高级别着色",
  specialOnly: "仅有特色产业", noPicks: "暂无公开布局", noCluster: "无集群",
  main: "主导产业", special: "特色产业", none: "未布局", mainShort: "主", specialShort: "特",
  roleLegend: (name) => `“${name}”的布局`, noUnitHolds: (name) => `本规划中尚无单元布局“${name}”。`,
  clusterMain: "国家级及以上集群", clusterSpecial: "省级集群",
  cluster: "集群", clusters: "集群", chooseCluster: "（选择集群）", level: "级别", year: "年份", hostCities: "所在地",
  history: "历程", source: "来源", sources: "来源", region: "经济圈", regions: "经济圈", members: "成员城市",
  world: "世界级", national: "国家级", provincial: "省级",
  district: "区县", city: "城市", zone: "功能区", county: "县", units: "单元", area: "面积", km2: "平方公里",
  listSep: "；",
  neighbours: "相邻", hosts: "所在区县", approximate: "位置为近似点，无测绘边界。", noIndustry: "暂无",
  abolished: (date, to) => `已于 ${date} 撤销${to ? `；现属${to}` : ""}`,
  outlineBefore: (date) => `${date} 部分区域调整：图上边界为调整前`,
  zoneMark: "功能区（圆点，位置为近似；按所选产业着色）", placeMark: "城镇、县城（GeoNames）、机场（OurAirports）", riverMark: "河流（GSHHG）",
  sites: "选址排名", rankedFor: (name) => `“${name}”选址排名`,
  criteria: "排序：主导产业在前，特色产业在后；其次，有相邻单元也布局该产业（产业集聚）的在前；",
  criteriaClusters: "排序：国家级及以上集群在前，省级集群在后；其次，相邻单元也有该产业集群的在前；",
  criteriaDistance: (o) => `再按与${o}的直线距离，由近及远；再按相邻布局的单元数，由多到少；最后按代码。`,
  criteriaNoDistance: "再按相邻布局的单元数，由多到少；最后按代码。点击地图或查找区县，可按距离排序。",
  tiesNote: "据此分不出先后的并列同一名次，记作“1=”。",
  origin: "起点", clearOrigin: "清除起点", clickedPoint: "地图上点击的位置", pointAt: (ll) => `位置 ${ll[1].toFixed(4)}, ${ll[0].toFixed(4)}`,
  neighboursHolding: "相邻布局", distance: "距离", km: "公里", noSites: "没有单元布局该产业。",
  detail: "细分", tied: "并列", describedTitle: "说明性名称", translatedTitle: "indmap 的译文", translatedName: "indmap 的译名", renderedTitle: "indmap 据数据中的说明整理",
  reasonNeighbours: (n) => `${n} 个相邻单元也有`, reasonNoNeighbours: "相邻单元均无",
  reasonDistance: (km) => `直线 ${km} 公里`, reasonInside: "起点在此单元内",
  matrixTitle: "区县 × 产业矩阵", exportCSV: "导出 CSV", matrixHelp: "点击行查看区县，点击列在地图上显示该产业。",
  reportOn: (s) => `检查对象：${s}`, valid: "通过", invalid: "不通过", errors: "错误", warnings: "警告",
  errorN: (n) => `${n} 个错误`, warningN: (n) => `${n} 个警告`, lines: (l) => `第 ${l} 行`,
  sheet: (s) => `工作表“${s}”`, asOf: (d) => `按 ${d} 的区划检查`,
  storedReport: "已存规划的检查", checkFile: "检查文件（CSV、JSON 或 Excel，不保存）",
  draft: "草稿", draftOf: (s) => `草稿：${s}（未保存）`, discard: "放弃草稿", save: "保存草稿", saveAnyway: "仍然保存",
  draftChanges: (a, r, c) => `新增 ${a}、删除 ${r}、改变角色 ${c}`, noChanges: "与已存规划相同",
  added: "新增", removed: "删除", changed: "角色改变", inDraft: "草稿中的布局", inStored: "已存的布局",
  refused: "规则检查不通过，未保存。可修正后再存，或明确选择“仍然保存”。",
  saved: (n) => `已保存为第 ${n} 版`, conflict: (n, who, when) => `保存前，${who} 已于 ${when} 保存了第 ${n} 版；你的草稿未保存。`,
  showTheirDiff: "查看对方的修改", staleDraft: (from, now) => `草稿基于第 ${from} 版，此后已有人保存了第 ${now} 版。`, recheck: "对照最新规划重新检查草稿",
  token: "令牌", tokenAsk: "输入写入令牌（仅保存在本标签页）", tokenSubmit: "确定", cancel: "取消", forgetToken: "忘记令牌",
  badToken: "令牌无效。", signedIn: "已输入令牌（本标签页）",
  revisions: "版本记录", revision: (n) => `第 ${n} 版`, storedRevision: (n) => `已存规划第 ${n} 版`, restore: "恢复此版", confirmRestore: (n) => `确认恢复第 ${n} 版`,
  restored: (from, n) => `已恢复第 ${from} 版（新版本第 ${n} 版）`, forced: "强制保存", showDiff: "查看修改",
  restoredFrom: (n) => `恢复自第 ${n} 版`, by: "作者",
  edit: "编辑布局", addPick: "添加", remove: "移除", role: "角色", industry: "产业", editing: (s) => `编辑草稿（基于${s}）`,
  editHint: "修改先成为草稿，检查通过后保存。", fileDraftBlocks: "已有文件草稿：放弃后才能在此编辑。",
  editClusters: "集群规划请通过文件修改（导出、编辑后检查）。", exportPlan: "导出", exportStored: "导出已存规划（编辑后可在此检查）",
  iframe: "iframe 代码", style: "MapLibre 样式", preview: "预览", embedIndustry: "产业", embedLang: "语言",
  serverNeeded: "这是发布的静态地图：检查和保存规划需要 indmap 服务器。",
  openServer: "在服务器上打开规划审查", noServer: "发布时未指定服务器（--server-url）。",
  embedHelp: "MapLibre：new maplibregl.Map({container, style: 样式 URL})；OpenLayers 与 Leaflet：使用 TileJSON 中的矢量瓦片 URL。",
  unknownIndustry: (s) => `未知产业“${s}”：显示总览。`, unknownPlan: (s) => `没有规划“${s}”：显示第一个规划。`, loadFailed: "加载失败：", notFound: "没有找到：",
  live: "数据已更新", zoomIn: "放大", legend: "图例", official: "官方", exportPNG: "导出图片", printView: "打印 / PDF", copy: "复制", copied: "已复制", zoomOut: "缩小", attribution: "数据来源",
};

const en = {
  title: "Industry map", plan: "Plan", search: "Find", searchPlaceholder: "District, town, industry or coordinates",
  investor: "Investors", matrix: "Matrix", planner: "Planners", embed: "Embed", close: "Close", menu: "Menu",
  langSwitch: "中文", map: "Map", side: "Details", more: "More", less: "Less",
  noMatch: (q) => `Nothing matches “${q}”`, searching: "Searching…", unitResult: "unit", industryResult: "industry", clusterResult: "cluster", placeResult: "coordinates (set as origin)", inPlan: (p) => `in ${p}`,
  placeNamed: "place (set as origin)", airport: "airport", county_seat: "county seat", town: "township seat", settlement: "settlement", neighbourhood: "neighbourhood", placeSource: "Place names from",
  colourBy: "Colour by", overview: "Overview (no industry)", industries: "Industries",
  noHolder: "no unit", holders: (n) => `${n}`,
  coverage: (a, n) => `${a} of ${n} units have published picks`,
  coverageKinds: (parts) => parts.join("; "), coverageKind: (a, n, kind) => `${a} of ${n} ${kind} host clusters`,
  coverageWithin: (a, w, n, kind) => `${a ? `${a} of ${n} ${kind} host clusters, ${w}` : `${w} of ${n} ${kind}`} lie in a city that does`,
  overviewPicks: "Coloured by the highest tier of their main industries", overviewClusters: "Coloured by the highest level of the clusters they host",
  specialOnly: "Special industries only", noPicks: "No published picks", noCluster: "No cluster",
  main: "Main", special: "Special", none: "Not held", mainShort: "M", specialShort: "S",
  roleLegend: (name) => name, noUnitHolds: (name) => `No unit of this plan holds ${name} yet.`,
  clusterMain: "National or world-class cluster", clusterSpecial: "Provincial cluster",
  cluster: "Cluster", clusters: "Clusters", chooseCluster: "(choose a cluster)", level: "Level", year: "Year", hostCities: "Hosts",
  history: "History", source: "source", sources: "Sources", region: "Economic circle", regions: "Economic circles", members: "Member cities",
  world: "World-class", national: "National", provincial: "Provincial",
  district: "district or county", city: "city", zone: "zone", county: "county", units: "units", area: "Area", km2: "km²",
  listSep: "; ",
  neighbours: "Neighbours", hosts: "Host districts", approximate: "Approximate position: no surveyed boundary.", noIndustry: "none",
  abolished: (date, to) => `Abolished ${date}${to ? `; now part of ${to}` : ""}`,
  outlineBefore: (date) => `Part of its area changed hands on ${date}: the outline shown is from before`,
  zoneMark: "Functional zone (a dot at an approximate point, coloured like the units)", placeMark: "Towns and county seats (GeoNames), airports (OurAirports)", riverMark: "Rivers (GSHHG)",
  sites: "Ranked sites", rankedFor: (name) => `Sites for ${name}`,
  criteria: "Ranked by role (main before special), then sites with neighbours holding it too (a cluster around the site) before those without, ",
  criteriaClusters: "Ranked by level (national or world-class clusters before provincial ones), then sites with neighbours hosting such clusters too before those without, ",
  criteriaDistance: (o) => `then by straight-line distance from ${o}, nearest first, then by how many neighbours hold it, then by code.`,
  criteriaNoDistance: "then by how many neighbours hold it, then by code. Click the map or find a district to rank by distance.",
  tiesNote: " Sites these cannot tell apart share a rank, shown as “1=”.",
  origin: "Origin", clearOrigin: "Clear origin", clickedPoint: "the point clicked on the map", pointAt: (ll) => `the point ${ll[1].toFixed(4)}, ${ll[0].toFixed(4)}`,
  neighboursHolding: "Neighbours holding it", distance: "Distance", km: "km", noSites: "No unit holds this industry.",
  detail: "Detail", tied: "tied", describedTitle: "a description, not an official name (the sources give the Chinese only)",
  translatedName: "indmap's translation of the Chinese name (the sources give the Chinese only)",
  translatedTitle: "indmap's translation of the source's Chinese wording",
  renderedTitle: "indmap's rendering of the note in the plan's data",
  reasonNeighbours: (n) => `${n} neighbour${n === 1 ? " holds" : "s hold"} it`, reasonNoNeighbours: "no neighbour holds it",
  reasonDistance: (km) => `${km} km straight-line`, reasonInside: "the origin lies in it",
  matrixTitle: "Units × industries", exportCSV: "Export CSV", matrixHelp: "Click a row to show the unit, a column to show the industry on the map.",
  reportOn: (s) => `Report on: ${s}`, valid: "valid", invalid: "invalid", errors: "errors", warnings: "warnings",
  errorN: (n) => `${n} error${n === 1 ? "" : "s"}`, warningN: (n) => `${n} warning${n === 1 ? "" : "s"}`, lines: (l) => `line ${l}`,
  sheet: (s) => `sheet “${s}”`, asOf: (d) => `checked against the divisions of ${d}`,
  storedReport: "The stored plan's report", checkFile: "Check a file (CSV, JSON or Excel; not stored)",
  draft: "Draft", draftOf: (s) => `Draft: ${s} (not stored)`, discard: "Discard draft", save: "Save draft", saveAnyway: "Save anyway",
  draftChanges: (a, r, c) => `${a} added, ${r} removed, ${c} changed role`, noChanges: "The same as the stored plan",
  added: "Added", removed: "Removed", changed: "Role changed", inDraft: "In the draft", inStored: "Stored",
  refused: "The rules refused this draft; nothing was stored. Fix it and save again, or choose “Save anyway”.",
  saved: (n) => `Saved as revision ${n}`, conflict: (n, who, when) => `${who} saved revision ${n} at ${when} while you were editing; your draft was not stored.`,
  showTheirDiff: "Show what they changed", staleDraft: (from, now) => `This draft was made on revision ${from}; revision ${now} has been saved since.`, recheck: "Check my draft against the new plan",
  token: "Token", tokenAsk: "Your write token (kept in this tab only)", tokenSubmit: "OK", cancel: "Cancel", forgetToken: "Forget token",
  badToken: "The token was refused.", signedIn: "Token entered (this tab)",
  revisions: "Revisions", revision: (n) => `Revision ${n}`, storedRevision: (n) => `stored revision ${n}`, restore: "Restore", confirmRestore: (n) => `Confirm: restore revision ${n}`,
  restored: (from, n) => `Restored revision ${from} (now revision ${n})`, forced: "forced", showDiff: "Changes",
  restoredFrom: (n) => `restored from revision ${n}`, by: "by",
  edit: "Edit picks", addPick: "Add", remove: "Remove", role: "Role", industry: "Industry", editing: (s) => `Editing a draft (from ${s})`,
  editHint: "Edits make a draft; it is checked, then saved.", fileDraftBlocks: "A file draft is open: discard it to edit here.",
  editClusters: "Clusters plans are edited as files (export, edit, check).", exportPlan: "Export", exportStored: "Export the stored plan (edit it, then check it here)",
  iframe: "iframe snippet", style: "MapLibre style", preview: "Preview", embedIndustry: "Industry", embedLang: "Language",
  serverNeeded: "This is a published map: checking and saving plans needs an indmap server.",
  openServer: "Open the planner's workbench on the server", noServer: "No server was named when this map was published (--server-url).",
  embedHelp: "MapLibre: new maplibregl.Map({container, style: style URL}); OpenLayers and Leaflet: use the vector tile URL in the TileJSON.",
  unknownIndustry: (s) => `Unknown industry “${s}”: showing the overview.`, unknownPlan: (s) => `No plan “${s}”: showing the first plan.`, loadFailed: "Could not load: ", notFound: "Not found: ",
  live: "Data updated", zoomIn: "Zoom in", legend: "Legend", official: "official", exportPNG: "Export image", printView: "Print / PDF", copy: "Copy", copied: "Copied", zoomOut: "Zoom out", attribution: "Data sources",
};

export const strings = { zh, en };

// t looks a string up in the current language; function strings take
// arguments.
export function t(key, ...args) {
  const s = strings[state.lang][key] ?? strings.zh[key] ?? key;
  return typeof s === "function" ? s(...args) : s;
}

// nameOf is a unit's or industry's name in the current language.
export function nameOf(x) {
  if (!x) return "";
  return state.lang === "en" ? x.name_en || x.name : x.name;
}

// detailOf: a holding's detail in the current language. In English,
// indmap's translation (detail_en, titled so) when there is one, else
// the Chinese as written (lang zh).
export function detailOf(x) {
  if (!x?.detail) return { text: "" };
  if (state.lang !== "en") return { text: x.detail };
  if (x.detail_en) return { text: x.detail_en, title: t("translatedTitle") };
  return { text: x.detail, lang: "zh" };
}

export function levelName(level) {
  return level ? t(level) : "";
}

// tierName: the catalogue's tier name; in English the catalogue's
// English one, else (the Shandong and Henan sector files have none) the
// tier read as the scale in 亿元 it is.
export function tierName(ind) {
  if (state.lang !== "en") return ind.tier_name || "";
  if (ind.tier_name_en) return ind.tier_name_en;
  if (ind.tier >= 100) return `${(ind.tier / 10).toLocaleString("en")}-billion-yuan scale`;
  return ind.tier_name || "";
}

// planTitle is a plan's title in the current language (plan
// definitions carry title_en).
export function planTitle(p) {
  if (!p) return "";
  if (state.lang === "en") return p.title_en || p.title;
  return p.title;
}

// groupName is an economic circle's name in the current language; the
// circle is keyed by its Chinese name everywhere else.
export function groupName(g) {
  if (state.lang === "en") return state.groups.en?.get(g) || g;
  return g;
}

// kindName: "district", "city" … in the current language, plural for
// counts in English.
export function kindName(kind, plural) {
  const k = t(kind);
  if (state.lang !== "en" || !plural) return k;
  return { city: "cities", county: "counties", district: "districts and counties" }[kind] || `${k}s`;
}

// clusterTitle names a cluster in the current language, from the
// plan's titles (plan.ClusterTitle): its name with its hosts when the
// name has none; in English a description (hosts and sector), as the
// sources give no English names.
export function clusterTitle(name) {
  const c = state.theme?.clusters?.[name];
  if (!c) return name;
  return state.lang === "en" ? c.title_en || c.title : c.title;
}

// joinList joins names as each language does.
export function joinList(names) {
  if (state.lang !== "en") return names.join("、");
  // A name with a comma of its own ("Chongqing High-tech Zone, Western
  // China Science City") would split the list: semicolons then.
  return names.join(names.some((n) => String(n).includes(",")) ? "; " : ", ");
}

export function fmtDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || "";
  return d.toLocaleString(state.lang === "en" ? "en-GB" : "zh-CN", { dateStyle: "medium", timeStyle: "short" });
}
