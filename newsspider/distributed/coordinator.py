"""Who is still crawling a job, and when the job is over, decided in Redis with one script per step.

A worker holds a lease in PREFIX:JOB:workers, renewed while it runs, and a state in
PREFIX:JOB:state: "busy" from the moment it takes a request from the frontier (in the
same script, so no other worker can see the frontier empty and this one idle in between),
"idle" when its engine has nothing left. The job is over when the frontier is empty and
every worker whose lease runs is idle: only a busy worker can still add requests. A dead
worker's lease runs out and it is no longer waited for: the requests it held (its in-flight
hash, written in the same script that took them) go back to the frontier, so a killed worker
loses nothing; a worker that stops cleanly, or starts again under the same id, puts back
its own.

Leases use Redis's clock, so workers on machines whose clocks disagree still agree.
"""

from __future__ import annotations

import hashlib

from . import LEASE_SECONDS, RedisKeys

# Shared by the scripts below. A worker's in-flight hash (PREFIX:JOB:inflight:WORKER) holds
# each request it took from the frontier and has not finished, field sha1(request) ->
# "score request"; requeue() puts them back in the frontier.
_REQUEUE = """
local function requeue(key, requests)
  local held = redis.call('HGETALL', key)
  for i = 2, #held, 2 do
    local v = held[i]
    local sp = string.find(v, ' ', 1, true)
    redis.call('ZADD', requests, tonumber(string.sub(v, 1, sp - 1)), string.sub(v, sp + 1))
  end
  redis.call('DEL', key)
  return #held / 2
end
local function release(key, first)
  for i = first, #ARGV do redis.call('HDEL', key, ARGV[i]) end
end
"""

# Forget workers whose lease ran out, and put what they had in hand back in the frontier.
# Expects `requests` (the frontier's key) and `inflight` (the in-flight keys' prefix).
_EXPIRE = """
local now = tonumber(redis.call('TIME')[1])
for _, w in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  redis.call('HDEL', KEYS[2], w)
  requeue(inflight .. w, requests)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
"""

# KEYS: workers, state, requests, dupefilter, done, all_workers, started. ARGV: worker, lease, member, inflight prefix.
_JOIN = _REQUEUE + "local requests, inflight = KEYS[3], ARGV[4]" + _EXPIRE + """
-- A worker of this id that died (a reused pid, a container's pid 1) left these: nobody holds them now.
requeue(inflight .. ARGV[1], requests)
redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now)
local how
if redis.call('ZCARD', KEYS[1]) > 0 then
  how = 'joined'
elseif redis.call('EXISTS', KEYS[5]) == 1 then
  redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
  how = 'new'
elseif redis.call('EXISTS', KEYS[3]) == 1 or redis.call('EXISTS', KEYS[4]) == 1 then
  how = 'resumed'
else
  how = 'new'
end
if how == 'new' or redis.call('EXISTS', KEYS[7]) == 0 then redis.call('SET', KEYS[7], now) end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZADD', KEYS[6], now + tonumber(ARGV[2]), ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], 'busy')
return how
"""

# KEYS: workers, state, all_workers, requests. ARGV: worker, lease, member, inflight prefix.
_RENEW = _REQUEUE + "local requests, inflight = KEYS[4], ARGV[4]" + _EXPIRE + """
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[3])
if not redis.call('HGET', KEYS[2], ARGV[1]) then
  redis.call('HSET', KEYS[2], ARGV[1], 'busy')
end
return 1
"""

# KEYS: workers, state, requests, own inflight. ARGV: worker, then tokens of finished requests.
# Taking a request and recording it as held is one step: a worker killed at any moment
# leaves each request either in the frontier or in its in-flight hash.
_POP = _REQUEUE + """
release(KEYS[4], 2)
local popped = redis.call('ZPOPMIN', KEYS[3])
if #popped == 0 then return false end
redis.call('HSET', KEYS[4], redis.sha1hex(popped[1]), popped[2] .. ' ' .. popped[1])
redis.call('HSET', KEYS[2], ARGV[1], 'busy')
return popped[1]
"""

# KEYS: workers, state, requests, done. ARGV: worker, inflight prefix, then tokens of finished requests.
_IDLE = _REQUEUE + "local requests, inflight = KEYS[3], ARGV[2]" + _EXPIRE + """
release(inflight .. ARGV[1], 3)
-- The engine is idle, so nothing is in hand: a request still recorded was taken by a pop
-- whose reply was lost (a dropped connection, retried). Back to the frontier.
requeue(inflight .. ARGV[1], requests)
redis.call('HSET', KEYS[2], ARGV[1], 'idle')
if redis.call('ZCARD', KEYS[3]) > 0 then return 'work' end
for _, w in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if w ~= ARGV[1] and redis.call('HGET', KEYS[2], w) ~= 'idle' then return 'wait' end
end
redis.call('SET', KEYS[4], now)
return 'done'
"""

# KEYS: workers, state, all_workers, items, requests, own inflight. ARGV: worker, member, report (may be empty),
# then tokens of finished requests. What it still holds goes back to the frontier.
_LEAVE = _REQUEUE + """
release(KEYS[6], 4)
requeue(KEYS[6], KEYS[5])
if ARGV[3] ~= '' then redis.call('LPUSH', KEYS[4], ARGV[3]) end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[2])
return 1
"""

# KEYS: workers, state, requests, dupefilter, done, all_workers, started. ARGV: inflight prefix.
_RESET = _REQUEUE + "local requests, inflight = KEYS[3], ARGV[1]" + _EXPIRE + """
if redis.call('ZCARD', KEYS[1]) > 0 then return redis.call('ZCARD', KEYS[1]) end
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[7])
return 0
"""


class Coordinator:
    def __init__(self, server, keys: RedisKeys, worker: str, lease: int = LEASE_SECONDS):
        self.server = server
        self.keys = keys
        self.worker = worker
        self.member = f"{keys.job}/{worker}"
        self.lease = lease
        self.inflight = keys.inflight(worker)
        # Tokens of requests this worker finished, dropped from its in-flight hash with the next
        # call: no round trip of their own (held a little longer, a finished request is at worst
        # fetched again after a kill, which an article's atomic push-and-release prevents).
        self.finished: list[str] = []
        self._join = server.register_script(_JOIN)
        self._renew = server.register_script(_RENEW)
        self._pop = server.register_script(_POP)
        self._idle = server.register_script(_IDLE)
        self._leave = server.register_script(_LEAVE)
        self._reset = server.register_script(_RESET)

    def join(self) -> str:
        """'new' (a fresh crawl), 'resumed' (an interrupted one, no worker left) or 'joined' (running)."""
        k = self.keys
        return _text(self._join(keys=[k.workers, k.state, k.requests, k.dupefilter, k.done, k.all_workers, k.started],
                                args=[self.worker, self.lease, self.member, k.inflight("")]))

    def renew(self) -> None:
        k = self.keys
        self._renew(keys=[k.workers, k.state, k.all_workers, k.requests], args=[self.worker, self.lease, self.member, k.inflight("")])

    def pop(self) -> bytes | None:
        """A request taken from the frontier and recorded as held by this worker (its token: token(request)), or None."""
        k = self.keys
        return self._pop(keys=[k.workers, k.state, k.requests, self.inflight], args=[self.worker, *self._finished()])

    def finish(self, token: str) -> None:
        """The request is handled (its items pushed, its links in the frontier): no longer held."""
        self.finished.append(token)

    def idle(self) -> str:
        """'work' (the frontier has requests), 'wait' (another worker is busy) or 'done' (the job is over)."""
        k = self.keys
        return _text(self._idle(keys=[k.workers, k.state, k.requests, k.done], args=[self.worker, k.inflight(""), *self._finished()]))

    def leave(self, report: bytes | None = None) -> None:
        """Withdraw, after pushing this worker's report (atomically: ingest sees the report before the worker is gone)."""
        k = self.keys
        self._leave(keys=[k.workers, k.state, k.all_workers, k.items, k.requests, self.inflight],
                    args=[self.worker, self.member, report or b"", *self._finished()])

    def reset(self) -> int:
        """Forget the job's frontier and seen requests. Refused (returns how many) while workers hold leases."""
        k = self.keys
        return int(self._reset(keys=[k.workers, k.state, k.requests, k.dupefilter, k.done, k.all_workers, k.started],
                               args=[k.inflight("")]))

    def _finished(self) -> list[str]:
        tokens, self.finished = self.finished, []
        return tokens


def token(request: bytes) -> str:
    """A held request's field in its worker's in-flight hash, as the pop script names it."""
    return hashlib.sha1(request).hexdigest()


def alive_workers(server, keys: RedisKeys) -> int:
    """Workers of any job under this prefix whose lease still runs (for ingest's 'is anyone still crawling')."""
    now = int(server.time()[0])
    return int(server.zcount(keys.all_workers, now, "+inf"))


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
