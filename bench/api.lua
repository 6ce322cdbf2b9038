-- wrk script: GeoJSON pages and point lookups in turn (the API share of
-- the mixed load).
local paths = {
  "/api/v1/plans/chongqing-2023/units?limit=20&simplify=500",
  "/api/v1/lookup?lon=106.5775&lat=29.5574",
  "/api/v1/plans/chongqing-2023/units?industry=CQ-ICV&role=main&limit=10&simplify=1000",
  "/api/v1/lookup?lon=120.38&lat=36.07",
  "/api/v1/plans/chongqing-2023/sites?industry=CQ-ICV&near=106.5,29.5",
  "/api/v1/lookup?lon=108.38&lat=30.8",
}
local n = 0
function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1], { ["Accept-Encoding"] = "gzip" })
end
