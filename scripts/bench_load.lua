-- wrk script of scripts/bench_load.py: counts non-2xx answers and prints one parsable line.
-- Arguments (after --): method, path (with {id} replaced per request), a file of
-- "token id" lines or "-", a JSON body or "", the number of wrk threads.
-- With a file, each thread takes every n-th line and cycles through its own share, so no two
-- connections work on the same draft at once and each request carries its owner's token.

local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  method, template, file, body = args[1], args[2], args[3], args[4]
  local nthreads = tonumber(args[5])
  entries = {}
  non2xx = 0
  index = 0
  if file ~= "-" then
    local n = 0
    for line in io.lines(file) do
      if n % nthreads == tid then
        local token, id = line:match("^(%S+)%s*(%S*)$")
        table.insert(entries, { token = token, id = id })
      end
      n = n + 1
    end
  end
  if body == "" then body = nil end
  fixed = wrk.format(method, template, nil, body)
end

function request()
  if #entries == 0 then
    return fixed
  end
  index = index % #entries + 1
  local entry = entries[index]
  local path = template:gsub("{id}", entry.id)
  local headers = { Authorization = "Bearer " .. entry.token }
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH-RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), bad,
    e.connect + e.read + e.write + e.timeout))
end
