// Lua scripts that make dispatch safe with many instances: each state change of
// a request and its expert happens in one atomic step, so a request is offered
// to one expert at a time, an expert holds one offer at a time, and a request is
// assigned at most once — whichever instance gets there first.

/**
 * Offer request → expert. KEYS: req, alive, choice, calls, offerKey, queue, offers.
 * ARGV: reqId, expertId, now, expiresAt, maxLoad, offerTtlMs.
 * 1 = offered; 0 = request no longer queued; -1 = expert not eligible right now.
 */
export const CLAIM = `
if redis.call('HGET', KEYS[1], 'status') ~= 'queued' then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
if redis.call('GET', KEYS[3]) ~= 'available' then return -1 end
if redis.call('HLEN', KEYS[4]) >= tonumber(ARGV[5]) then return -1 end
if not redis.call('SET', KEYS[5], ARGV[1], 'NX', 'PX', ARGV[6]) then return -1 end
redis.call('HSET', KEYS[1], 'status', 'offered', 'offeredTo', ARGV[2], 'offerExpiresAt', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('ZADD', KEYS[7], ARGV[4], ARGV[1])
return 1`;

/**
 * Expert accepts. KEYS: req, offerKey, calls, offers, callAllowed, lastAssigned.
 * ARGV: reqId, expertId, now, callId.  1 = assigned; 0 = not offered to this expert; -1 = offer expired.
 */
export const ACCEPT = `
if redis.call('HGET', KEYS[1], 'status') ~= 'offered' or redis.call('HGET', KEYS[1], 'offeredTo') ~= ARGV[2] then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'offerExpiresAt')) < tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], 'status', 'assigned', 'expertId', ARGV[2], 'assignedAt', ARGV[3])
redis.call('HDEL', KEYS[1], 'offeredTo', 'offerExpiresAt')
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[3])
redis.call('SADD', KEYS[5], ARGV[2])
redis.call('ZADD', KEYS[6], ARGV[3], ARGV[2])
return 1`;

/**
 * Offer declined or timed out: back to the queue at its old place; the expert is skipped for a while.
 * KEYS: req, offerKey, offers, queue, skips. ARGV: reqId, expertId, now, onlyIfExpired ('1'|'0').
 */
export const REQUEUE = `
if redis.call('HGET', KEYS[1], 'status') ~= 'offered' or redis.call('HGET', KEYS[1], 'offeredTo') ~= ARGV[2] then return 0 end
if ARGV[4] == '1' and tonumber(redis.call('HGET', KEYS[1], 'offerExpiresAt')) > tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'status', 'queued')
redis.call('HDEL', KEYS[1], 'offeredTo', 'offerExpiresAt')
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], redis.call('HGET', KEYS[1], 'score'), ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[3], ARGV[2])
return 1`;

/** KEYS: req, queue, offers. ARGV: reqId. Returns the expert it was offered to ('' if none), or false if not cancellable. */
export const CANCEL = `
local s = redis.call('HGET', KEYS[1], 'status')
if s ~= 'queued' and s ~= 'offered' then return false end
local offeredTo = redis.call('HGET', KEYS[1], 'offeredTo') or ''
redis.call('HSET', KEYS[1], 'status', 'cancelled')
redis.call('HDEL', KEYS[1], 'offeredTo', 'offerExpiresAt')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return offeredTo`;

/**
 * Expert finished a call: frees the slot once, learns the handling time (EWMA).
 * KEYS: calls, stats, availableSince. ARGV: callId, now, expertId, alpha, defaultHandleS.
 */
export const RELEASE = `
local at = redis.call('HGET', KEYS[1], ARGV[1])
if not at then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
local dur = (tonumber(ARGV[2]) - tonumber(at)) / 1000
local avg = tonumber(redis.call('HGET', KEYS[2], 'avgHandleS') or ARGV[5])
avg = avg + tonumber(ARGV[4]) * (dur - avg)
redis.call('HSET', KEYS[2], 'avgHandleS', tostring(avg))
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
return 1`;

/** KEYS: key. ARGV: value. Deletes the key only if it still holds value. */
export const DEL_IF_EQUALS = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
