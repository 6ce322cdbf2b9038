-- wrk script: requests the tile paths of $TILES (one per line) in turn,
-- each thread from its own offset, gzip accepted as browsers do.
local paths = {}
for line in io.lines(os.getenv("TILES")) do paths[#paths + 1] = line end
local i = 0
function setup(thread)
  thread:set("offset", i * 7919)
  i = i + 1
end
function init(args)
  n = offset or 0
end
function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1], { ["Accept-Encoding"] = "gzip" })
end
