"""The Lua scripts of the Redis store: each compare-and-set is one script, so one round trip.

Every script touches only keys of one user, which share a hash tag and so one cluster slot.
Times are float seconds from the caller's clock (``ARGV``), never Redis's own, so that a frozen
test clock and the server agree. TTLs are relative to that clock: ``ttl(until, now)``.

A session is a hash with the fields ``created``, ``last_refreshed``, ``expires``, ``generation``,
``rotated_at`` (absent before the first rotation), ``revoked`` ("1" or "0") and ``user_agent``.
"""

from __future__ import annotations

# Shared prelude: the TTL in milliseconds until `until`, and "is this session live?".
_PRELUDE = """
local function ttl(until_, now)
  return math.max(1, math.ceil((tonumber(until_) - tonumber(now)) * 1000))
end
local function extend(key, ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
local function live(created, expires, revoked, cutoff_key, now)
  if not created or revoked == '1' or tonumber(expires) <= tonumber(now) then return false end
  local cutoff = redis.call('GET', cutoff_key)
  return not (cutoff and tonumber(created) < tonumber(cutoff))
end
"""

#: KEYS: session, index. ARGV: sid, created, last_refreshed, expires, generation, rotated_at
#: ("" for none), revoked, user_agent, now.
CREATE = (
    _PRELUDE
    + """
local fields = {'created', ARGV[2], 'last_refreshed', ARGV[3], 'expires', ARGV[4],
                'generation', ARGV[5], 'revoked', ARGV[7], 'user_agent', ARGV[8]}
if ARGV[6] ~= '' then
  table.insert(fields, 'rotated_at')
  table.insert(fields, ARGV[6])
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(fields))
local ms = ttl(ARGV[4], ARGV[9])
redis.call('PEXPIRE', KEYS[1], ms)
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
extend(KEYS[2], ms)
return 1
"""
)

#: KEYS: session, cutoff, index. ARGV: generation, now, grace seconds, new expires.
#: Answers {outcome, generation}.
ROTATE = (
    _PRELUDE
    + """
local s = redis.call('HMGET', KEYS[1], 'created', 'expires', 'generation', 'revoked', 'rotated_at')
if not live(s[1], s[2], s[4], KEYS[2], ARGV[2]) then return {'ended', 0} end
local current, presented, now = tonumber(s[3]), tonumber(ARGV[1]), tonumber(ARGV[2])
if presented == current then
  redis.call('HSET', KEYS[1], 'generation', current + 1, 'rotated_at', ARGV[2],
             'last_refreshed', ARGV[2], 'expires', ARGV[4])
  local ms = ttl(ARGV[4], ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ms)
  extend(KEYS[3], ms)
  return {'rotated', current + 1}
end
-- A racing request may carry a `now` from before the rotation it lost to: without a grace
-- period that is still reuse.
local grace = tonumber(ARGV[3])
if presented == current - 1 and grace > 0 and s[5] and now < tonumber(s[5]) + grace then
  redis.call('HSET', KEYS[1], 'last_refreshed', ARGV[2])
  return {'grace', current}
end
redis.call('HSET', KEYS[1], 'revoked', '1')
return {'reused', 0}
"""
)

#: KEYS: session, cutoff. ARGV: now, generation ("" for any). Answers 1 (alive) or 0.
CHECK = (
    _PRELUDE
    + """
local s = redis.call('HMGET', KEYS[1], 'created', 'expires', 'generation', 'revoked')
if not live(s[1], s[2], s[4], KEYS[2], ARGV[1]) then return 0 end
if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= tonumber(s[3]) then return 0 end
return 1
"""
)

#: KEYS: session, cutoff. ARGV: now. Answers 1 if this call revoked a live session.
END = (
    _PRELUDE
    + """
local s = redis.call('HMGET', KEYS[1], 'created', 'expires', 'revoked')
if not live(s[1], s[2], s[3], KEYS[2], ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'revoked', '1')
return 1
"""
)

#: KEYS: cutoff. ARGV: now, keep until. The cut-off only moves forward; its TTL only grows.
END_ALL = (
    _PRELUDE
    + """
local cutoff = redis.call('GET', KEYS[1])
if not cutoff or tonumber(cutoff) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
end
extend(KEYS[1], ttl(ARGV[2], ARGV[1]))
return 1
"""
)
