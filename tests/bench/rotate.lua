-- wrk script for tests/bench/run.sh: rotates through the request paths in
-- the file named by $TK_PATHS (one path a line), counts responses by status,
-- and prints one JSON line at the end. With $TK_DELAY_MS > 0 every
-- connection waits that long after each response before its next request,
-- which holds the load at a roughly fixed rate (connections / (delay +
-- latency)) instead of saturating the server.

local threads = {}

local pace = tonumber(os.getenv("TK_DELAY_MS") or "0")
if pace > 0 then
  delay = function()
    return pace
  end
end

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(os.getenv("TK_PATHS")) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  i = (tid * 7919) % #paths
  ok = 0
  bad = 0
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local n_ok, n_bad = 0, 0
  for _, t in ipairs(threads) do
    n_ok = n_ok + t:get("ok")
    n_bad = n_bad + t:get("bad")
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"duration_s":%.2f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,'
      .. '"ok_200":%d,"non_200":%d,"socket_errors":%d,"timeouts":%d,"bytes_per_response":%.0f}\n',
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, n_ok, n_bad,
    e.connect + e.read + e.write, e.timeout,
    summary.bytes / math.max(1, summary.requests)))
end
