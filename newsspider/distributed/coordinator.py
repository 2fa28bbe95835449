"""Who is still crawling a job, and when the job is over, decided in Redis with one script per step.

A worker holds a lease in PREFIX:JOB:workers, renewed while it runs, and a state in
PREFIX:JOB:state: "busy" from the moment it takes a request from the frontier (in the
same script, so no other worker can see the frontier empty and this one idle in between),
"idle" when its engine has nothing left. The job is over when the frontier is empty and
every worker whose lease runs is idle: only a busy worker can still add requests. A dead
worker's lease runs out and it is no longer waited for.

Leases use Redis's clock, so workers on machines whose clocks disagree still agree.
"""

from __future__ import annotations

from . import LEASE_SECONDS, RedisKeys

# Shared by the scripts below: forget workers whose lease ran out.
_EXPIRE = """
local now = tonumber(redis.call('TIME')[1])
for _, w in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  redis.call('HDEL', KEYS[2], w)
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
"""

# KEYS: workers, state, requests, dupefilter, done, all_workers. ARGV: worker, lease, member.
_JOIN = _EXPIRE + """
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
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZADD', KEYS[6], now + tonumber(ARGV[2]), ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], 'busy')
return how
"""

# KEYS: workers, state, all_workers. ARGV: worker, lease, member.
_RENEW = _EXPIRE + """
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[3])
if not redis.call('HGET', KEYS[2], ARGV[1]) then
  redis.call('HSET', KEYS[2], ARGV[1], 'busy')
end
return 1
"""

# KEYS: workers, state, requests. ARGV: worker.
_POP = """
local popped = redis.call('ZPOPMIN', KEYS[3])
if #popped == 0 then return false end
redis.call('HSET', KEYS[2], ARGV[1], 'busy')
return popped[1]
"""

# KEYS: workers, state, requests, done. ARGV: worker.
_IDLE = _EXPIRE + """
redis.call('HSET', KEYS[2], ARGV[1], 'idle')
if redis.call('ZCARD', KEYS[3]) > 0 then return 'work' end
for _, w in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if w ~= ARGV[1] and redis.call('HGET', KEYS[2], w) ~= 'idle' then return 'wait' end
end
redis.call('SET', KEYS[4], now)
return 'done'
"""

# KEYS: workers, state, all_workers, items. ARGV: worker, member, report (may be empty).
_LEAVE = """
if ARGV[3] ~= '' then redis.call('LPUSH', KEYS[4], ARGV[3]) end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[2])
return 1
"""

# KEYS: workers, state, requests, dupefilter, done, all_workers.
_RESET = _EXPIRE + """
if redis.call('ZCARD', KEYS[1]) > 0 then return redis.call('ZCARD', KEYS[1]) end
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
return 0
"""


class Coordinator:
    def __init__(self, server, keys: RedisKeys, worker: str, lease: int = LEASE_SECONDS):
        self.server = server
        self.keys = keys
        self.worker = worker
        self.member = f"{keys.job}/{worker}"
        self.lease = lease
        self._join = server.register_script(_JOIN)
        self._renew = server.register_script(_RENEW)
        self._pop = server.register_script(_POP)
        self._idle = server.register_script(_IDLE)
        self._leave = server.register_script(_LEAVE)
        self._reset = server.register_script(_RESET)

    def join(self) -> str:
        """'new' (a fresh crawl), 'resumed' (an interrupted one, no worker left) or 'joined' (running)."""
        k = self.keys
        return _text(self._join(keys=[k.workers, k.state, k.requests, k.dupefilter, k.done, k.all_workers],
                                args=[self.worker, self.lease, self.member]))

    def renew(self) -> None:
        k = self.keys
        self._renew(keys=[k.workers, k.state, k.all_workers], args=[self.worker, self.lease, self.member])

    def pop(self) -> bytes | None:
        k = self.keys
        return self._pop(keys=[k.workers, k.state, k.requests], args=[self.worker])

    def idle(self) -> str:
        """'work' (the frontier has requests), 'wait' (another worker is busy) or 'done' (the job is over)."""
        k = self.keys
        return _text(self._idle(keys=[k.workers, k.state, k.requests, k.done], args=[self.worker]))

    def leave(self, report: bytes | None = None) -> None:
        """Withdraw, after pushing this worker's report (atomically: ingest sees the report before the worker is gone)."""
        k = self.keys
        self._leave(keys=[k.workers, k.state, k.all_workers, k.items], args=[self.worker, self.member, report or b""])

    def reset(self) -> int:
        """Forget the job's frontier and seen requests. Refused (returns how many) while workers hold leases."""
        k = self.keys
        return int(self._reset(keys=[k.workers, k.state, k.requests, k.dupefilter, k.done, k.all_workers]))


def alive_workers(server, keys: RedisKeys) -> int:
    """Workers of any job under this prefix whose lease still runs (for ingest's 'is anyone still crawling')."""
    now = int(server.time()[0])
    return int(server.zcount(keys.all_workers, now, "+inf"))


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
