using StackExchange.Redis;

namespace LlmOps.Redis;

/// <summary>
/// Makes the one connection <c>AddRedis</c> registers, once, failing with a message that names the engine and the host.
/// Both the startup validator and the service factory ask it, so validation never resolves the connection through the
/// container (which would be circular: the connection needs the validated options).
/// </summary>
internal sealed class RedisConnector : IDisposable
{
    private readonly Lock _gate = new();
    private IConnectionMultiplexer? _connection;

    public IConnectionMultiplexer Get(RedisOptions options)
    {
        lock (_gate)
        {
            return _connection ??= Connect(options);
        }
    }

    public void Dispose() => _connection?.Dispose();

    private static IConnectionMultiplexer Connect(RedisOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException("RedisOptions.ConnectionString is not set; set it (for example \"localhost:6379\") in AddRedis, or register an IConnectionMultiplexer before AddRedis.");
        }

        ConfigurationOptions config;
        try
        {
            config = ConfigurationOptions.Parse(options.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"RedisOptions.ConnectionString '{options.ConnectionString}' is not a StackExchange.Redis configuration string: {ex.Message}", ex);
        }

        // During an outage, fail each command at once (the cache fails open, budgets fail closed) instead of queueing it.
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.AbortOnConnectFail = !options.LazyConnect;
        try
        {
            return ConnectionMultiplexer.Connect(config);
        }
        catch (RedisConnectionException ex)
        {
            throw new InvalidOperationException(
                $"Redis at {string.Join(", ", config.EndPoints)} cannot be reached ({ex.Message.Split('\n')[0]}). Start Redis or fix RedisOptions.ConnectionString; set RedisOptions.LazyConnect to start without it (the cache then fails open and budgets fail closed until it answers).",
                ex);
        }
    }
}
