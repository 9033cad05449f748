/**
 * The two Lua scripts of the Redis limiter, each one atomic round trip (EVALSHA; ioredis falls
 * back to EVAL once when the server does not know the script yet). They keep the window of
 * `window.ts` — one hash per subject with a field per bucket, `r<bucket>` (requests) and
 * `t<bucket>` (tokens), expiring a bucket after the window — plus an in-flight counter. The
 * admission test is the same comparison as `assess` (requests + 1, tokens + reservation, in
 * flight); the script returns the counts it saw so that the client computes the headers and
 * `retryAfter` with the very same code as the in-memory table.
 *
 * Keys: `KEYS[1]` the window hash, `KEYS[2]` the in-flight counter, kept only for a subject with
 * a `maxParallel` limit (its own TTL, refreshed by each admission, frees the slots of an
 * instance that died with requests in flight). A request that holds no slot and whose tokens
 * need no correction is never settled, so it costs one round trip.
 * Time: `ARGV[1]` milliseconds, or -1 for the server's `TIME` (one clock for every instance).
 */

/** ARGV: now, rpm, tpm, maxParallel (0: none), reservation, bucket ms, slots, in-flight TTL ms.
 * Returns `{allowed 0|1, now ms, in flight before, {field, count, …} of counted buckets}`. */
export const ACQUIRE_SCRIPT = `
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local rpm, tpm, maxp = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local need, width, slots = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local k = math.floor(now / width)
local oldest = k - slots + 1
local flat = redis.call('HGETALL', KEYS[1])
local requests, tokens = 0, 0
local seen, stale = {}, {}
for i = 1, #flat, 2 do
  local field, value = flat[i], tonumber(flat[i + 1])
  if tonumber(string.sub(field, 2)) < oldest then
    stale[#stale + 1] = field
  else
    if string.sub(field, 1, 1) == 'r' then requests = requests + value else tokens = tokens + value end
    seen[#seen + 1] = field
    seen[#seen + 1] = value
  end
end
if #stale > 0 then redis.call('HDEL', KEYS[1], unpack(stale)) end
local inflight = 0
if maxp > 0 then inflight = tonumber(redis.call('GET', KEYS[2]) or '0') end
local ok = 1
if rpm > 0 and requests + 1 > rpm then ok = 0 end
if tpm > 0 and tokens + need > tpm then ok = 0 end
if maxp > 0 and inflight >= maxp then ok = 0 end
if ok == 1 then
  redis.call('HINCRBY', KEYS[1], 'r' .. k, 1)
  redis.call('HINCRBY', KEYS[1], 't' .. k, need)
  redis.call('PEXPIRE', KEYS[1], (slots + 1) * width)
  if maxp > 0 then
    redis.call('INCR', KEYS[2])
    redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[8]))
  end
end
return {ok, now, inflight, seen}
`;

/** ARGV: now, the lease's bucket, actual − reserved tokens, bucket ms, slots, 1 when the lease
 * holds an in-flight slot. A refund goes back to the lease's bucket while it counts; an overrun
 * is counted in the current bucket; a held slot is freed (the counter never goes below 0). */
export const SETTLE_SCRIPT = `
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local lease, delta = tonumber(ARGV[2]), tonumber(ARGV[3])
local width, slots = tonumber(ARGV[4]), tonumber(ARGV[5])
local k = math.floor(now / width)
if delta < 0 and lease > k - slots then
  local field = 't' .. ARGV[2]
  local value = tonumber(redis.call('HGET', KEYS[1], field) or '0')
  if value > 0 then
    local left = value + delta
    if left < 0 then left = 0 end
    redis.call('HSET', KEYS[1], field, left)
  end
elseif delta > 0 then
  redis.call('HINCRBY', KEYS[1], 't' .. k, delta)
  redis.call('PEXPIRE', KEYS[1], (slots + 1) * width)
end
if ARGV[6] == '1' and tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then
  redis.call('DECR', KEYS[2])
end
return 1
`;
