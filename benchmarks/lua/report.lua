-- Shared by the other scripts: print the figures of the run as one JSON line that
-- benchmarks/harness.py reads. Latencies are in microseconds. Each thread counts its answers'
-- statuses and the answers that failed their checks ("bad_status", "bad_marker"); post.lua
-- also counts the posts it sent (`sent`) and whether it ran out of them (`exhausted`).
local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local statuses, sent, exhausted, bad_status, bad_marker = {}, 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses") or {}) do
      statuses[code] = (statuses[code] or 0) + n
    end
    sent = sent + (thread:get("sent") or 0)
    exhausted = exhausted + (thread:get("exhausted") or 0)
    bad_status = bad_status + (thread:get("bad_status") or 0)
    bad_marker = bad_marker + (thread:get("bad_marker") or 0)
  end
  local parts = {}
  for code, n in pairs(statuses) do
    table.insert(parts, string.format('"%s": %d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
    '"sent": %d, "exhausted_threads": %d, "bad_status": %d, "bad_marker": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    sent, exhausted, bad_status, bad_marker, table.concat(parts, ", ")))
end
