-- POST prepared forms, each exactly once: the file WRK_POSTS holds one form per line,
-- "cookie<TAB>path<TAB>urlencoded body" (body with its CSRF token). Thread i of n takes the
-- lines i, i+n, i+2n…, so no form is sent twice. A thread that has sent all its forms stops
-- (wrk then measures the time until the last thread stopped). Statuses are counted per code;
-- an answer other than WRK_STATUS (default 302, the redirect to the new registration) is an error.
dofile(os.getenv("WRK_LUA_DIR") .. "/report.lua")

local posts, position = {}, 0
local expected = tonumber(os.getenv("WRK_STATUS") or "302")
statuses, sent, exhausted, bad_status, bad_marker = {}, 0, 0, 0, 0

function init(args)
  local count = tonumber(os.getenv("WRK_THREADS"))
  local agent = os.getenv("WRK_USER_AGENT") or "benchmark"
  local n = 0
  for line in io.lines(os.getenv("WRK_POSTS")) do
    if n % count == thread_index then
      local cookie, path, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      table.insert(posts, wrk.format("POST", path, {
        ["Cookie"] = cookie,
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["User-Agent"] = agent,
      }, body))
    end
    n = n + 1
  end
end

function request()
  position = position + 1
  if position > #posts then
    -- Nothing left to send: stop, and send a harmless request meanwhile (not counted as a post).
    exhausted = 1
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  sent = sent + 1
  return posts[position]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= expected and exhausted == 0 then
    bad_status = bad_status + 1
  end
end
