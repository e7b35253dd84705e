-- wrk script: every request carries a different learner's JWT.
--
--   wrk -t2 -c32 -d20s -s bench/jwt_rotation.lua URL -- TOKENS_FILE
--
-- TOKENS_FILE holds one JWT per line. Thread n starts at its own offset and walks the list,
-- so consecutive requests (on any connection) never reuse a token until the list wraps.
-- At the end one line "BENCH_JSON {...}" gives the figures in microseconds for bench/wrk.py.

local thread_count = 0

function setup(thread)
  thread:set("thread_number", thread_count)
  thread_count = thread_count + 1
end

local tokens = {}
local position = 0

function init(args)
  local path = args[1]
  if path == nil then
    error("usage: wrk ... -s jwt_rotation.lua URL -- TOKENS_FILE")
  end
  for line in io.lines(path) do
    if line ~= "" then
      tokens[#tokens + 1] = line
    end
  end
  if #tokens == 0 then
    error("no tokens in " .. path)
  end
  position = ((thread_number or 0) * 7919) % #tokens
end

function request()
  position = position % #tokens + 1
  return wrk.format(nil, nil, {["Authorization"] = "JWT " .. tokens[position], ["Accept"] = "application/json"})
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "non_2xx_3xx": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
