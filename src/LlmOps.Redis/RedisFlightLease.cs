using StackExchange.Redis;

namespace LlmOps.Redis;

/// <summary>
/// The lease of the instance that leads a single-flight across instances: a Redis string set with <c>SET NX PX</c>
/// holding a token only this lease knows. It is renewed every third of its life while the call runs, so it outlives a
/// long call yet expires soon after its instance dies; disposing deletes it (only while it still holds the token), so the
/// waiters on other instances go on at once.
/// </summary>
internal sealed class RedisFlightLease : IAsyncDisposable
{
    // Both check the token first: a lease that expired and was taken by another instance is never touched.
    private const string RenewScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0";
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

    private readonly IConnectionMultiplexer _connection;
    private readonly RedisKey _key;
    private readonly RedisValue _token;
    private readonly long _lifeMilliseconds;
    private readonly ITimer _renewal;
    private int _disposed;

    public RedisFlightLease(IConnectionMultiplexer connection, RedisKey key, RedisValue token, TimeSpan life, TimeProvider time)
    {
        _connection = connection;
        _key = key;
        _token = token;
        _lifeMilliseconds = (long)life.TotalMilliseconds;
        var period = life / 3;
        _renewal = time.CreateTimer(static state => ((RedisFlightLease)state!).Renew(), this, period, period);
    }

    /// <summary>A lease that holds nothing: the instance leads alone (Redis could not be reached).</summary>
    public static IAsyncDisposable None { get; } = new Nothing();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _renewal.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _connection.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [_key], [_token]).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or ObjectDisposedException)
        {
            // Unreleased, the lease expires within its life: other instances' waiters lose at most that.
        }
    }

    private void Renew()
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            // Fire and forget: a renewal lost to an outage only shortens the lease, which the waiters survive.
            _ = _connection.GetDatabase().ScriptEvaluateAsync(RenewScript, [_key], [_token, _lifeMilliseconds], CommandFlags.FireAndForget);
        }
    }

    private sealed class Nothing : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
