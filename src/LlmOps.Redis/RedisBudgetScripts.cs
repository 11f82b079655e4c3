namespace LlmOps.Redis;

/// <summary>
/// The Lua scripts of <see cref="RedisBudgetStore"/>. Redis runs a script atomically, so the check of every nested
/// partition and the reservation in all of them are one step for every instance. Amounts are integers of nano-USD
/// (exact in Lua's doubles up to 2^53). A partition is a hash: <c>w</c> window start, <c>s</c> spent, <c>r</c> reserved,
/// <c>f</c> the soft thresholds fired in the window ('1' per index). KEYS[1] is the tag's lease set (score: expiry in
/// ms), KEYS[2] the tag's lease hash (id -> JSON [amount, key...]); the partition keys follow. Every key of a call shares
/// one hash tag, so a script runs on one Redis Cluster slot; the partition keys a lease names are the keys of the call
/// that made it, in the same slot.
/// </summary>
internal static class RedisBudgetScripts
{
    // Shared prologue: release one lease (if still held) and reap the tag's expired leases (an instance that died).
    private const string Prologue = """
        local function unlease(id)
          local data = redis.call('HGET', KEYS[2], id)
          if data then
            local d = cjson.decode(data)
            for j = 2, #d do redis.call('HINCRBY', d[j], 'r', -d[1]) end
            redis.call('HDEL', KEYS[2], id)
          end
          redis.call('ZREM', KEYS[1], id)
          return data ~= false and data ~= nil
        end
        local function reap(now)
          local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 256)
          for _, id in ipairs(expired) do unlease(id) end
        end
        local function fire(key, idx, s, r, csv, fired, out)
          if csv == '' then return fired end
          local used = s + r
          local j = 0
          local changed = false
          for t in string.gmatch(csv, '[^,]+') do
            j = j + 1
            if string.sub(fired, j, j) ~= '1' and used >= tonumber(t) then
              while string.len(fired) < j do fired = fired .. '0' end
              fired = string.sub(fired, 1, j - 1) .. '1' .. string.sub(fired, j + 1)
              out[#out + 1] = idx
              out[#out + 1] = j
              out[#out + 1] = s
              out[#out + 1] = r
              changed = true
            end
          end
          if changed then redis.call('HSET', key, 'f', fired) end
          return fired
        end
        """;

    /// <summary>
    /// ARGV: now ms, amount, lease id, lease expiry ms, lease JSON, then per partition: limit, window start, thresholds.
    /// Returns {0, index, spent, reserved} when partition <c>index</c> has no room (nothing changed), else
    /// {1, index, threshold, spent, reserved, ...} for the soft thresholds crossed.
    /// </summary>
    public const string Reserve = Prologue + "\n" + """
        local now = tonumber(ARGV[1])
        reap(now)
        local amount = tonumber(ARGV[2])
        local n = #KEYS - 2
        local spent = {}
        for i = 1, n do
          local a = 6 + (i - 1) * 3
          local h = redis.call('HMGET', KEYS[i + 2], 'w', 's', 'r')
          local s = tonumber(h[2]) or 0
          if h[1] ~= ARGV[a + 1] then s = 0 end
          local r = tonumber(h[3]) or 0
          if s + r + amount > tonumber(ARGV[a]) then return {0, i, s, r} end
          spent[i] = (h[1] == ARGV[a + 1])
        end
        local out = {1}
        for i = 1, n do
          local a = 6 + (i - 1) * 3
          local k = KEYS[i + 2]
          if not spent[i] then redis.call('HSET', k, 'w', ARGV[a + 1], 's', 0, 'f', '') end
          local r = redis.call('HINCRBY', k, 'r', amount)
          local h = redis.call('HMGET', k, 's', 'f')
          fire(k, i, tonumber(h[1]) or 0, r, ARGV[a + 2], h[2] or '', out)
        end
        redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
        redis.call('HSET', KEYS[2], ARGV[3], ARGV[5])
        return out
        """;

    /// <summary>
    /// ARGV: now ms, lease id, actual amount (-1 to release), then per partition: window start, thresholds. Releases the
    /// lease if still held, adds the actual amount to each partition's spend in its current window. Returns
    /// {held, index, threshold, spent, reserved, ...}.
    /// </summary>
    public const string Complete = Prologue + "\n" + """
        local held = unlease(ARGV[2]) and 1 or 0
        local out = {held}
        local actual = tonumber(ARGV[3])
        if actual >= 0 then
          local n = #KEYS - 2
          for i = 1, n do
            local a = 4 + (i - 1) * 2
            local k = KEYS[i + 2]
            if redis.call('HGET', k, 'w') ~= ARGV[a] then redis.call('HSET', k, 'w', ARGV[a], 's', 0, 'f', '') end
            local s = redis.call('HINCRBY', k, 's', actual)
            local h = redis.call('HMGET', k, 'r', 'f')
            fire(k, i, s, tonumber(h[1]) or 0, ARGV[a + 1], h[2] or '', out)
          end
        end
        reap(tonumber(ARGV[1]))
        return out
        """;

    /// <summary>ARGV: now ms, then per partition: window start. Returns {spent, reserved, ...} per partition.</summary>
    public const string Status = Prologue + "\n" + """
        reap(tonumber(ARGV[1]))
        local out = {}
        for i = 1, #KEYS - 2 do
          local h = redis.call('HMGET', KEYS[i + 2], 'w', 's', 'r')
          local s = tonumber(h[2]) or 0
          if h[1] ~= ARGV[i + 1] then s = 0 end
          out[#out + 1] = s
          out[#out + 1] = tonumber(h[3]) or 0
        end
        return out
        """;
}
