using StackExchange.Redis;

namespace LlmOps.Stores.Tests.Engines;

/// <summary>
/// The standalone Redis the store tests run against (an xunit collection fixture): the server named by
/// <c>LLMOPS_TEST_REDIS</c> (<c>host:port</c>) when set, else the installed <c>redis-server</c> started on a free loopback
/// port in a temp directory and stopped at the end. Tests isolate themselves with a unique key prefix.
/// </summary>
public sealed class RedisEngine : IAsyncLifetime
{
    /// <summary>The environment variable naming a server the user runs.</summary>
    public const string Variable = "LLMOPS_TEST_REDIS";

    private RedisServerProcess? _owned;
    private ConnectionMultiplexer? _connection;

    /// <summary>Gets the <c>host:port</c> endpoint.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>Gets a value indicating whether the tests started the server (and so may stop and start it).</summary>
    public bool IsOwned => _owned is not null;

    /// <summary>Gets a connection shared by the tests of the collection.</summary>
    public ConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("The Redis engine is not started.");

    /// <summary>Gets a StackExchange.Redis configuration string for the engine (fast failure, no admin).</summary>
    public string ConnectionString => $"{Endpoint},abortConnect=false,connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000";

    /// <summary>Returns a key prefix no other test uses.</summary>
    public static string UniquePrefix(string test) => $"t:{test}:{Guid.NewGuid():N}";

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } external)
        {
            Endpoint = external;
            await RedisServerProcess.WaitForPingAsync(Endpoint, TimeSpan.FromSeconds(5));
        }
        else
        {
            if (RedisServerProcess.FindExecutable() is null)
            {
                throw new InvalidOperationException($"The Redis store tests need a Redis server: {RedisServerProcess.InstallHint}.");
            }

            _owned = await RedisServerProcess.StartAsync();
            Endpoint = _owned.Endpoint;
        }

        _connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString);
    }

    /// <summary>Starts a private server that only the calling test uses (for stop/start tests, which must not disturb the others).</summary>
    /// <returns>The server; dispose it at the end of the test.</returns>
    /// <param name="extraArguments">More <c>redis-server</c> arguments (for example persistence for a restart test).</param>
    public static async Task<RedisServerProcess> StartPrivateAsync(params string[] extraArguments)
    {
        if (RedisServerProcess.FindExecutable() is null)
        {
            throw new InvalidOperationException($"The Redis restart tests start their own server: {RedisServerProcess.InstallHint}.");
        }

        return await RedisServerProcess.StartAsync(extraArguments);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_owned is not null)
        {
            await _owned.DisposeAsync();
        }
    }
}
