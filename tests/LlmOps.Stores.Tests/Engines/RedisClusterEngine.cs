using System.Diagnostics;
using StackExchange.Redis;

namespace LlmOps.Stores.Tests.Engines;

/// <summary>
/// A Redis Cluster of three masters for the cluster tests: the cluster named by <c>LLMOPS_TEST_REDIS_CLUSTER</c>
/// (comma-separated <c>host:port</c> seeds) when set, else three <c>redis-server --cluster-enabled yes</c> on free
/// loopback ports joined by <c>redis-cli --cluster create ... --cluster-replicas 0</c>, stopped at the end.
/// </summary>
public sealed class RedisClusterEngine : IAsyncLifetime
{
    /// <summary>The environment variable naming a cluster the user runs.</summary>
    public const string Variable = "LLMOPS_TEST_REDIS_CLUSTER";

    private readonly List<RedisServerProcess> _owned = [];
    private ConnectionMultiplexer? _connection;

    /// <summary>Gets the seed endpoints.</summary>
    public IReadOnlyList<string> Endpoints { get; private set; } = [];

    /// <summary>Gets the connection string (all seeds).</summary>
    public string ConnectionString => string.Join(",", Endpoints) + ",abortConnect=false,connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000";

    /// <summary>Gets a connection shared by the cluster tests.</summary>
    public ConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("The Redis cluster is not started.");

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } external)
        {
            Endpoints = external.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        else
        {
            if (RedisServerProcess.FindExecutable() is null || RedisServerProcess.FindExecutable("redis-cli") is null)
            {
                throw new InvalidOperationException($"The Redis Cluster tests need redis-server and redis-cli: {RedisServerProcess.InstallHint}, or set {Variable}.");
            }

            var servers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => RedisServerProcess.StartAsync(
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")));
            _owned.AddRange(servers);
            Endpoints = [.. servers.Select(s => s.Endpoint)];
            await CreateClusterAsync(Endpoints);
        }

        foreach (var endpoint in Endpoints)
        {
            await WaitForClusterOkAsync(endpoint);
        }

        _connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        foreach (var server in _owned)
        {
            await server.DisposeAsync();
        }
    }

    private static async Task CreateClusterAsync(IReadOnlyList<string> endpoints)
    {
        var info = new ProcessStartInfo(RedisServerProcess.FindExecutable("redis-cli")!)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("--cluster");
        info.ArgumentList.Add("create");
        foreach (var e in endpoints)
        {
            info.ArgumentList.Add(e);
        }

        info.ArgumentList.Add("--cluster-replicas");
        info.ArgumentList.Add("0");
        info.ArgumentList.Add("--cluster-yes");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed ({process.ExitCode}): {await output} {await error}");
        }
    }

    private static async Task WaitForClusterOkAsync(string endpoint)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            last = await RedisServerProcess.SendAsync(endpoint, "CLUSTER INFO");
            if (last.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The Redis Cluster node {endpoint} did not reach cluster_state:ok within 20 s: {last}");
    }
}
