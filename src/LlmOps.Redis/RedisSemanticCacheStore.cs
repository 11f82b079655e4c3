using System.Collections.Concurrent;
using LlmOps.Caching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LlmOps.Redis;

/// <summary>
/// An <see cref="ISemanticCacheStore"/> in Redis, shared by every instance of an application. The exact tier is one
/// Redis string per entry with the entry's TTL. The semantic tier keeps every entry of a partition in a Redis hash and
/// records each addition and removal in the partition's Redis Stream; each instance holds a local mirror of a partition
/// (an <see cref="InMemorySemanticCacheStore"/>, so a <see cref="Vectors.FlatVectorIndex"/>), loaded on first use and kept
/// current from the stream, so a semantic lookup never leaves the process. Needs no Redis modules.
/// </summary>
/// <remarks>
/// <para>
/// <b>Propagation.</b> A write publishes the partition on a Pub/Sub channel; every instance holding that partition's
/// mirror then reads the stream from where it stopped. A lookup also reads the stream when the mirror has not been
/// brought up to date for <see cref="MirrorRefreshInterval"/>, so a lost notification delays an entry by at most that.
/// </para>
/// <para>
/// <b>Fails open.</b> When Redis cannot be reached, a lookup is a miss, a write is skipped and the mirrors are dropped
/// (to be reloaded when Redis answers again), so requests go to the provider and nothing fails; the outage is logged once
/// (EventId 1900) and the recovery once (1901). <see cref="InvalidateAsync"/> throws instead: an invalidation that did not
/// happen must not look as if it did.
/// </para>
/// <para>
/// <b>Single-flight across instances</b> (<see cref="ISemanticCacheFlightCoordinator"/>). The instance that leads a cold
/// key takes a lease with <c>SET NX PX</c> (<see cref="RedisOptions.SingleFlightLease"/>, renewed while its call runs)
/// and deletes it once its answer is stored or its request ended. Waiting instances poll every
/// <see cref="RedisOptions.SingleFlightPollInterval"/> for the entry or the end of the lease, for at most
/// <see cref="RedisOptions.SingleFlightWait"/> (or the cache's <c>SingleFlightTimeout</c>, if shorter); a leader that
/// dies lets them go on when its lease expires. When Redis cannot be reached, every instance leads alone.
/// </para>
/// <para>
/// Recency: Redis's own eviction (<c>maxmemory-policy allkeys-lru</c>) stands in for the in-memory store's LRU.
/// </para>
/// </remarks>
public sealed class RedisSemanticCacheStore : ISemanticCacheStore, ISemanticCacheFlightCoordinator, IDisposable
{
    private readonly IConnectionMultiplexer _connection;
    private readonly RedisOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _endpoints;
    private readonly string _head;
    private readonly RedisChannel _channel;
    private readonly ConcurrentDictionary<SemanticCacheKey, Lazy<Task<Mirror>>> _mirrors = new();
    private readonly int _mirrorMaxEntries;
    private int _down;
    private int _flightDown;
    private bool _subscribed;

    /// <summary>Initializes a new instance of the <see cref="RedisSemanticCacheStore"/> class.</summary>
    /// <param name="connection">The Redis connection (shared with the other stores).</param>
    /// <param name="options">Key prefix and stream settings; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for expiry and mirror refresh; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="logger">Logs outages (EventIds 1900, 1901, 1904); none when <see langword="null"/>.</param>
    /// <param name="mirrorMaxEntries">The most entries one partition's local mirror keeps (least recently used go first).</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message names the option.</exception>
    public RedisSemanticCacheStore(IConnectionMultiplexer connection, RedisOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null, int mirrorMaxEntries = 100_000)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfLessThan(mirrorMaxEntries, 1);
        _options = options ?? new RedisOptions();
        if (_options.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _connection = connection;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _endpoints = RedisEndpoints.Describe(connection);
        _head = _options.KeyPrefix + ":cache:";
        _channel = RedisChannel.Literal(_head + "changes");
        _mirrorMaxEntries = mirrorMaxEntries;
    }

    /// <summary>Gets or sets the longest a warm mirror goes without reading its stream when no notification arrives.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan MirrorRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the number of partitions mirrored in this instance.</summary>
    public int MirroredPartitions => _mirrors.Count;

    /// <inheritdoc/>
    public async ValueTask<SemanticCacheEntry?> GetAsync(SemanticCacheKey key, CancellationToken cancellationToken = default)
    {
        RedisValue blob;
        try
        {
            blob = await Db.StringGetAsync(ExactKey(key)).WaitAsync(cancellationToken).ConfigureAwait(false);
            Up();
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            Down("get", ex);
            return null;
        }

        return blob.IsNull || RedisCacheEntryCodec.Decode((ReadOnlyMemory<byte>)blob) is not { } entry || IsExpired(entry) ? null : entry;
    }

    /// <inheritdoc/>
    public async ValueTask<SemanticCacheMatch?> FindNearestAsync(SemanticCacheKey partition, ReadOnlyMemory<float> embedding, CancellationToken cancellationToken = default)
        => await MirrorOf(partition, cancellationToken).ConfigureAwait(false) is { } mirror
            ? await mirror.Store.FindNearestAsync(partition, embedding, cancellationToken).ConfigureAwait(false)
            : null;

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<SemanticCacheMatch>> FindCandidatesAsync(
        SemanticCacheKey partition, ReadOnlyMemory<float> embedding, int maxCount, float minSimilarity, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        return await MirrorOf(partition, cancellationToken).ConfigureAwait(false) is { } mirror
            ? await mirror.Store.FindCandidatesAsync(partition, embedding, maxCount, minSimilarity, cancellationToken).ConfigureAwait(false)
            : [];
    }

    /// <inheritdoc/>
    public async ValueTask SetAsync(SemanticCacheEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var blob = RedisCacheEntryCodec.Encode(entry);
        var now = _time.GetUtcNow();
        TimeSpan? ttl = entry.ExpiresAt is { } expires ? expires - now : null;
        if (ttl is { } t && t <= TimeSpan.Zero)
        {
            return;
        }

        var part = entry.Partition.ToString();
        var db = Db;
        try
        {
            await Task.WhenAll(
                ttl is { } life ? db.StringSetAsync(ExactKey(entry.Key), blob, life) : db.StringSetAsync(ExactKey(entry.Key), blob),
                db.HashSetAsync(HashKey(part), entry.Key.ToString(), blob),
                db.StreamAddAsync(StreamKey(part), [new NameValueEntry("o", "a"), new NameValueEntry("k", entry.Key.ToString())], maxLength: _options.ChangeStreamMaxLength, useApproximateMaxLength: true),
                db.SetAddAsync(_head + "partitions", part)).WaitAsync(cancellationToken).ConfigureAwait(false);
            await db.PublishAsync(_channel, part).ConfigureAwait(false);
            Up();
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            Down("set", ex);
            return;
        }

        // Read your own writes: the mirror of this instance has the entry now, before the stream brings it back.
        if (entry.Embedding is not null && _mirrors.TryGetValue(entry.Partition, out var lazy) && lazy.Value.IsCompletedSuccessfully)
        {
            await lazy.Value.Result.Store.SetAsync(entry, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="RedisStoreUnavailableException">Redis cannot be reached; nothing is known to be removed.</exception>
    public async ValueTask<int> InvalidateAsync(SemanticCacheInvalidation selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        try
        {
            var db = Db;
            if (selection.Key is { } key)
            {
                var blob = await db.StringGetAsync(ExactKey(key)).ConfigureAwait(false);
                if (blob.IsNull || RedisCacheEntryCodec.Decode((ReadOnlyMemory<byte>)blob) is not { } entry || !selection.Matches(entry))
                {
                    return 0;
                }

                await RemoveAsync(db, entry.Partition.ToString(), [entry.Key.ToString()]).ConfigureAwait(false);
                return 1;
            }

            var removed = 0;
            foreach (var part in await db.SetMembersAsync(_head + "partitions").ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var fields = await db.HashGetAllAsync(HashKey(part!)).ConfigureAwait(false);
                var doomed = new List<string>();
                foreach (var field in fields)
                {
                    if (RedisCacheEntryCodec.Decode((ReadOnlyMemory<byte>)field.Value) is not { } entry)
                    {
                        continue;
                    }

                    if (selection.Matches(entry))
                    {
                        removed++;
                        doomed.Add(field.Name!);
                    }
                    else if (IsExpired(entry))
                    {
                        doomed.Add(field.Name!);
                    }
                }

                if (doomed.Count > 0)
                {
                    await RemoveAsync(db, part!, doomed).ConfigureAwait(false);
                }
            }

            Up();
            return removed;
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            Down("invalidate", ex);
            throw new RedisStoreUnavailableException($"Redis at {_endpoints} is unavailable; the cache invalidation ({selection.Description}) did not run. Retry when Redis answers.", ex);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IAsyncDisposable?> TryLeadAsync(SemanticCacheKey key, CancellationToken cancellationToken = default)
    {
        var token = Guid.NewGuid().ToString("N");
        var flightKey = FlightKey(key);
        bool taken;
        try
        {
            taken = await Db.StringSetAsync(flightKey, token, _options.SingleFlightLease, When.NotExists).WaitAsync(cancellationToken).ConfigureAwait(false);
            FlightUp();
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            FlightDown(ex);
            return RedisFlightLease.None;
        }

        return taken ? new RedisFlightLease(_connection, flightKey, token, _options.SingleFlightLease, _time) : null;
    }

    /// <inheritdoc/>
    public async ValueTask<SemanticCacheEntry?> WaitForLeaderAsync(SemanticCacheKey key, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var bound = timeout == Timeout.InfiniteTimeSpan || timeout > _options.SingleFlightWait ? _options.SingleFlightWait : timeout;
        var poll = _options.SingleFlightPollInterval;
        var started = _time.GetTimestamp();
        var flightKey = FlightKey(key);
        var exactKey = ExactKey(key);
        while (true)
        {
            var left = bound - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            await Task.Delay(left < poll ? left : poll, _time, cancellationToken).ConfigureAwait(false);
            bool held;
            RedisValue blob;
            try
            {
                // The lease first, then the entry (one connection keeps the order): a leader that stored its answer and
                // then let go is seen with its entry, never as a leader that ended without one.
                var db = Db;
                var holding = db.KeyExistsAsync(flightKey);
                var reading = db.StringGetAsync(exactKey);
                await Task.WhenAll(holding, reading).WaitAsync(cancellationToken).ConfigureAwait(false);
                (held, blob) = (holding.Result, reading.Result);
                FlightUp();
            }
            catch (Exception ex) when (IsOutage(ex))
            {
                FlightDown(ex);
                return null;
            }

            if (!blob.IsNull && RedisCacheEntryCodec.Decode((ReadOnlyMemory<byte>)blob) is { } entry && !IsExpired(entry))
            {
                return entry;
            }

            if (!held)
            {
                return null;
            }
        }
    }

    /// <summary>Brings every warm mirror up to date with its stream now (for tests and shutdown paths).</summary>
    /// <returns>A task that completes when every mirror has read its stream.</returns>
    public async Task SyncMirrorsAsync()
    {
        foreach (var pair in _mirrors)
        {
            if (pair.Value.IsValueCreated && pair.Value.Value.IsCompletedSuccessfully)
            {
                // A catch-up already running (woken by a notification) makes ours return at once: wait for it to
                // finish, then read once more ourselves, so that everything written before this call is in the mirror.
                // A request for another pass that no reader took up (Again still set) makes us go round again.
                var mirror = pair.Value.Value.Result;
                do
                {
                    while (Volatile.Read(ref mirror.Reading) != 0)
                    {
                        await Task.Delay(1).ConfigureAwait(false);
                    }

                    await CatchUpAsync(pair.Key, mirror).ConfigureAwait(false);
                    while (Volatile.Read(ref mirror.Reading) != 0)
                    {
                        await Task.Delay(1).ConfigureAwait(false);
                    }
                }
                while (Volatile.Read(ref mirror.Again) != 0);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_subscribed)
        {
            try
            {
                _connection.GetSubscriber().Unsubscribe(_channel);
            }
            catch (Exception ex) when (IsOutage(ex))
            {
            }
        }

        _mirrors.Clear();
    }

    private IDatabase Db => _connection.GetDatabase();

    private RedisKey ExactKey(SemanticCacheKey key) => $"{_head}e:{{{key}}}";

    // Tagged like the exact key, so both live in one slot of a cluster.
    private RedisKey FlightKey(SemanticCacheKey key) => $"{_head}f:{{{key}}}";

    private RedisKey HashKey(string partition) => $"{_head}{{{partition}}}:h";

    private RedisKey StreamKey(string partition) => $"{_head}{{{partition}}}:s";

    private bool IsExpired(SemanticCacheEntry entry) => entry.ExpiresAt is { } expires && expires <= _time.GetUtcNow();

    private async Task RemoveAsync(IDatabase db, string partition, List<string> keys)
    {
        var tasks = new List<Task>(keys.Count * 2 + 2);
        var fields = new RedisValue[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            fields[i] = keys[i];
            tasks.Add(db.KeyDeleteAsync(ExactKey(RedisCacheEntryCodec.ParseKey(keys[i]))));
            tasks.Add(db.StreamAddAsync(StreamKey(partition), [new NameValueEntry("o", "d"), new NameValueEntry("k", keys[i])], maxLength: _options.ChangeStreamMaxLength, useApproximateMaxLength: true));
        }

        tasks.Add(db.HashDeleteAsync(HashKey(partition), fields));
        await Task.WhenAll(tasks).ConfigureAwait(false);
        await db.PublishAsync(_channel, partition).ConfigureAwait(false);
        if (_mirrors.TryGetValue(RedisCacheEntryCodec.ParseKey(partition), out var lazy) && lazy.Value.IsCompletedSuccessfully)
        {
            foreach (var key in keys)
            {
                await lazy.Value.Result.Store.InvalidateAsync(SemanticCacheInvalidation.ForKey(RedisCacheEntryCodec.ParseKey(key))).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<Mirror?> MirrorOf(SemanticCacheKey partition, CancellationToken cancellationToken)
    {
        var lazy = _mirrors.GetOrAdd(partition, p => new Lazy<Task<Mirror>>(() => LoadAsync(p)));
        Mirror mirror;
        try
        {
            mirror = lazy.Value.IsCompletedSuccessfully ? lazy.Value.Result : await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            _mirrors.TryRemove(new KeyValuePair<SemanticCacheKey, Lazy<Task<Mirror>>>(partition, lazy));
            Down("load mirror", ex);
            return null;
        }

        if (_time.GetElapsedTime(Volatile.Read(ref mirror.SyncedAt)) >= MirrorRefreshInterval)
        {
            _ = CatchUpAsync(partition, mirror);
        }

        return mirror;
    }

    private async Task<Mirror> LoadAsync(SemanticCacheKey partition)
    {
        EnsureSubscribed();
        var part = partition.ToString();
        var db = Db;

        // The stream position first, then the hash: an event after that position is applied again on the next read,
        // which is harmless (additions replace, removals of an absent key do nothing).
        var last = await db.StreamRangeAsync(StreamKey(part), "-", "+", 1, Order.Descending).ConfigureAwait(false);
        var fields = await db.HashGetAllAsync(HashKey(part)).ConfigureAwait(false);
        Up();
        var mirror = new Mirror(new InMemorySemanticCacheStore(_mirrorMaxEntries, _time), last.Length > 0 ? last[0].Id.ToString() : "0-0", _time.GetTimestamp());
        var expired = new List<RedisValue>();
        foreach (var field in fields)
        {
            if (RedisCacheEntryCodec.Decode((ReadOnlyMemory<byte>)field.Value) is not { Embedding: not null } entry)
            {
                continue;
            }

            if (IsExpired(entry))
            {
                expired.Add(field.Name);
                continue;
            }

            await mirror.Store.SetAsync(entry).ConfigureAwait(false);
        }

        if (expired.Count > 0)
        {
            _ = db.HashDeleteAsync(HashKey(part), [.. expired], CommandFlags.FireAndForget);
        }

        return mirror;
    }

    private async Task CatchUpAsync(SemanticCacheKey partition, Mirror mirror)
    {
        // One reader per mirror; a notification during a read asks for one more pass.
        Interlocked.Exchange(ref mirror.Again, 1);
        if (Interlocked.CompareExchange(ref mirror.Reading, 1, 0) != 0)
        {
            return;
        }

        var part = partition.ToString();
        try
        {
            while (Interlocked.Exchange(ref mirror.Again, 0) == 1)
            {
                var db = Db;
                Volatile.Write(ref mirror.SyncedAt, _time.GetTimestamp());
                while (true)
                {
                    var events = await db.StreamRangeAsync(StreamKey(part), "(" + mirror.Position, "+", 512).ConfigureAwait(false);
                    if (events.Length == 0)
                    {
                        break;
                    }

                    var added = new List<RedisValue>();
                    foreach (var e in events)
                    {
                        if (e["o"] == "a")
                        {
                            added.Add(e["k"]);
                        }
                    }

                    var blobs = added.Count == 0 ? [] : await db.HashGetAsync(HashKey(part), [.. added]).ConfigureAwait(false);
                    var a = 0;
                    foreach (var e in events)
                    {
                        var key = RedisCacheEntryCodec.ParseKey(e["k"]!);
                        if (e["o"] == "a")
                        {
                            var blob = blobs[a++];
                            if (!blob.IsNull && RedisCacheEntryCodec.Decode((ReadOnlyMemory<byte>)blob) is { Embedding: not null } entry && !IsExpired(entry))
                            {
                                await mirror.Store.SetAsync(entry).ConfigureAwait(false);
                                continue;
                            }
                        }

                        await mirror.Store.InvalidateAsync(SemanticCacheInvalidation.ForKey(key)).ConfigureAwait(false);
                    }

                    mirror.Position = events[^1].Id.ToString();
                    if (events.Length < 512)
                    {
                        break;
                    }
                }
            }

            Up();
        }
        catch (Exception ex) when (IsOutage(ex))
        {
            RedisLog.MirrorFeedFailed(_logger, StreamKey(part).ToString(), ex);
            Down("read stream", ex);
        }
        finally
        {
            Volatile.Write(ref mirror.Reading, 0);
        }
    }

    private void EnsureSubscribed()
    {
        if (_subscribed)
        {
            return;
        }

        _subscribed = true;
        _connection.GetSubscriber().Subscribe(_channel, (channel, message) =>
        {
            if (message.IsNullOrEmpty)
            {
                return;
            }

            var partition = RedisCacheEntryCodec.ParseKey(message!);
            if (_mirrors.TryGetValue(partition, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                _ = CatchUpAsync(partition, lazy.Value.Result);
            }
        });
    }

    private void Up()
    {
        if (Volatile.Read(ref _down) != 0 && Interlocked.Exchange(ref _down, 0) != 0)
        {
            RedisLog.CacheRecovered(_logger, _endpoints);
        }
    }

    private void Down(string operation, Exception ex)
    {
        // Whatever a mirror holds may have missed removals during the outage: reload each on its next use.
        _mirrors.Clear();
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            RedisLog.CacheUnavailable(_logger, _endpoints, operation, ex);
        }
    }

    private void FlightUp() => Volatile.Write(ref _flightDown, 0);

    private void FlightDown(Exception ex)
    {
        if (Interlocked.Exchange(ref _flightDown, 1) == 0)
        {
            RedisLog.FlightUnavailable(_logger, _endpoints, ex);
        }
    }

    private static bool IsOutage(Exception ex) => ex is RedisConnectionException or RedisTimeoutException or TimeoutException or ObjectDisposedException;

    private sealed class Mirror(InMemorySemanticCacheStore store, string position, long syncedAt)
    {
        public long SyncedAt = syncedAt;
        public int Reading;
        public int Again;

        public InMemorySemanticCacheStore Store { get; } = store;

        public string Position { get; set; } = position;
    }
}
