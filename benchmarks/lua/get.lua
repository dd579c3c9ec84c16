-- GET pages and check every answer. The file WRK_REQUESTS holds one request per line,
-- "cookie<TAB>path" (an empty cookie: anonymous); thread i of n starts at line i and each thread
-- walks the whole list in turn, so consecutive requests ask for different URLs (searches whose
-- terms change, filters, languages). Every answer must have the status WRK_STATUS (default 200)
-- and contain each of the tab-separated texts of WRK_MARKERS; answers that do not are counted
-- as errors ("bad_status", "bad_marker").
dofile(os.getenv("WRK_LUA_DIR") .. "/report.lua")

local requests, position = {}, 0
local expected = tonumber(os.getenv("WRK_STATUS") or "200")
local markers = {}
statuses, bad_status, bad_marker = {}, 0, 0

function init(args)
  local agent = os.getenv("WRK_USER_AGENT") or "benchmark"
  for marker in string.gmatch(os.getenv("WRK_MARKERS") or "", "[^\t]+") do
    table.insert(markers, marker)
  end
  for line in io.lines(os.getenv("WRK_REQUESTS")) do
    local cookie, path = line:match("^([^\t]*)\t(.*)$")
    local headers = {["User-Agent"] = agent}
    if cookie ~= "" then
      headers["Cookie"] = cookie
    end
    table.insert(requests, wrk.format("GET", path, headers))
  end
  position = thread_index % #requests
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= expected then
    bad_status = bad_status + 1
  else
    for _, marker in ipairs(markers) do
      if not string.find(body or "", marker, 1, true) then
        bad_marker = bad_marker + 1
        break
      end
    end
  end
end
