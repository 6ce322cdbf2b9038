// UI strings: Chinese by default, English on request.
export const strings = {
  zh: {
    title: "产业地图", plan: "规划", industry: "产业", cluster: "集群", search: "查找", plannerView: "规划审查",
    investorView: "投资选址", embed: "嵌入", close: "关闭", iframe: "iframe 代码", style: "MapLibre 样式",
    embedHelp: "MapLibre：new maplibregl.Map({style: 样式 URL})；OpenLayers 与 Leaflet：使用 TileJSON 中的矢量瓦片 URL。",
    industryPlaceholder: "搜索产业", searchPlaceholder: "区县名称", allIndustries: "（不选产业）", noCluster: "（不选集群）",
    main: "主导产业", special: "特色产业", none: "未布局", units: "个", sites: "选址排名", kind: "类型", area: "面积",
    neighbours: "相邻", hosts: "所在区县", approximate: "位置为近似点，无测绘边界。", source: "来源",
    violations: "规则检查", validateFile: "检查 CSV 文件（不保存）", valid: "通过", invalid: "不通过",
    errors: "错误", warnings: "警告", clusters: "集群", district: "区县", city: "城市", zone: "功能区", km2: "平方公里",
    noIndustry: "暂无", rankedFor: "产业选址：",
  },
  en: {
    title: "Industry map", plan: "Plan", industry: "Industry", cluster: "Cluster", search: "Find", plannerView: "Planner view",
    investorView: "Investor view", embed: "Embed", close: "Close", iframe: "iframe snippet", style: "MapLibre style",
    embedHelp: "MapLibre: new maplibregl.Map({style: style URL}); OpenLayers and Leaflet: use the vector tile URL in the TileJSON.",
    industryPlaceholder: "Search industries", searchPlaceholder: "District name", allIndustries: "(no industry)", noCluster: "(no cluster)",
    main: "Main", special: "Special", none: "None", units: "units", sites: "Ranked sites", kind: "Kind", area: "Area",
    neighbours: "Neighbours", hosts: "Host districts", approximate: "Approximate position: no surveyed boundary.", source: "source",
    violations: "Rule checks", validateFile: "Validate a CSV file (not stored)", valid: "valid", invalid: "invalid",
    errors: "errors", warnings: "warnings", clusters: "Clusters", district: "district", city: "city", zone: "zone", km2: "km²",
    noIndustry: "none", rankedFor: "Sites for ",
  },
};
