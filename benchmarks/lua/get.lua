-- GET one page over and over, as the logged-in account whose cookie is in WRK_COOKIE (if any).
dofile(os.getenv("WRK_LUA_DIR") .. "/report.lua")

local cookie = os.getenv("WRK_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
-- The same User-Agent as the login, so that the login session stays "fresh".
wrk.headers["User-Agent"] = os.getenv("WRK_USER_AGENT") or "benchmark"
