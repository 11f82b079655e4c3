using System.Diagnostics;
using System.Globalization;
using LlmOps.Caching;
using LlmOps.Redis;
using LlmOps.Stores.Tests.Engines;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace LlmOps.Stores.Tests.Redis;

/// <summary>
/// Single-flight across instances against a real Redis: four OS processes (<c>redis-flight</c> workers) send the same cold
/// request at once; their provider counts calls in Redis and answers only when the test releases it.
/// </summary>
[Collection(RedisEngineCollection.Name)]
public sealed class RedisSingleFlightTests(RedisEngine engine)
{
    private const int Processes = 4;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ColdRequest_FromFourProcessesAtOnce_MakesOneProviderCall(bool streaming)
    {
        var prefix = RedisEngine.UniquePrefix("flight");
        var workers = Start(prefix, "ok", streaming, leaseMs: 10_000, waitMs: 60_000);
        try
        {
            var leader = await ElectAsync(workers, prefix);
            Assert.Equal("called", await NextAsync(leader));

            await Db.StringSetAsync(prefix + ":release", 1, TimeSpan.FromMinutes(5));

            var results = await Task.WhenAll(workers.Select(ResultAsync));
            Assert.All(results, r => Assert.StartsWith("result=100_degrees_Celsius_(call_1) ", r, StringComparison.Ordinal));
            Assert.Equal(1, results.Count(r => r.EndsWith("cache=Miss/None", StringComparison.Ordinal)));
            Assert.Equal(Processes - 1, results.Count(r => r.EndsWith("cache=Hit/Shared", StringComparison.Ordinal)));
            Assert.Equal(1L, (long)await Db.StringGetAsync(prefix + ":calls"));
        }
        finally
        {
            Stop(workers);
        }
    }

    [Fact]
    public async Task Kill9_OfTheLeadingProcess_LetsTheWaitersCallThemselvesOnceItsLeaseExpires()
    {
        var prefix = RedisEngine.UniquePrefix("flightkill");
        var workers = Start(prefix, "ok", streaming: true, leaseMs: 1_000, waitMs: 60_000);
        try
        {
            var leader = await ElectAsync(workers, prefix);
            Assert.Equal("called", await NextAsync(leader));

            leader.Kill(); // SIGKILL: the lease is neither released nor renewed again
            var killed = Stopwatch.StartNew();
            await leader.WaitForExitAsync();
            await Db.StringSetAsync(prefix + ":release", 1, TimeSpan.FromMinutes(5));

            var waiters = workers.Where(w => w != leader).ToArray();
            var results = await Task.WhenAll(waiters.Select(ResultAsync));
            Assert.All(results, r => Assert.EndsWith("cache=Miss/None", r, StringComparison.Ordinal));
            Assert.Equal((long)Processes, (long)await Db.StringGetAsync(prefix + ":calls")); // the dead leader's and one each

            // The 1 s lease freed them, long before the 60 s bound on the wait.
            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(30), $"the waiters went on only after {killed.Elapsed}");
        }
        finally
        {
            Stop(workers);
        }
    }

    [Fact]
    public async Task LeaderFails_TheWaitersOnOtherProcessesCallThemselvesWithoutWaitingOutTheLease()
    {
        var prefix = RedisEngine.UniquePrefix("flightfail");
        var workers = Start(prefix, "fail-first", streaming: false, leaseMs: 60_000, waitMs: 120_000);
        try
        {
            var leader = await ElectAsync(workers, prefix);
            Assert.Equal("called", await NextAsync(leader));

            await Db.StringSetAsync(prefix + ":release", 1, TimeSpan.FromMinutes(5));
            var released = Stopwatch.StartNew();

            Assert.Equal("error=InvalidOperationException", await NextAsync(leader)); // its own failure, not shared
            var results = await Task.WhenAll(workers.Where(w => w != leader).Select(ResultAsync));
            Assert.All(results, r => Assert.StartsWith("result=100_degrees_Celsius_(call_", r, StringComparison.Ordinal));
            Assert.Equal((long)Processes, (long)await Db.StringGetAsync(prefix + ":calls"));
            Assert.True(released.Elapsed < TimeSpan.FromSeconds(45), $"the waiters went on only after {released.Elapsed} (the lease is 60 s)");
        }
        finally
        {
            Stop(workers);
        }
    }

    [Fact]
    public async Task LeaderStillRunning_TheWaitersGoOnAloneAfterTheBoundedWait()
    {
        var prefix = RedisEngine.UniquePrefix("flightwait");
        var workers = Start(prefix, "ok", streaming: false, leaseMs: 10_000, waitMs: 1_000);
        try
        {
            var leader = await ElectAsync(workers, prefix);
            Assert.Equal("called", await NextAsync(leader));

            // The leader's provider is held until the release: a waiter can only reach its own provider by giving up its wait.
            var waiters = workers.Where(w => w != leader).ToArray();
            Assert.All(await Task.WhenAll(waiters.Select(NextAsync)), line => Assert.Equal("called", line));

            await Db.StringSetAsync(prefix + ":release", 1, TimeSpan.FromMinutes(5));
            var results = await Task.WhenAll(workers.Select(ResultAsync));
            Assert.All(results, r => Assert.EndsWith("cache=Miss/None", r, StringComparison.Ordinal));
            Assert.Equal((long)Processes, (long)await Db.StringGetAsync(prefix + ":calls"));
        }
        finally
        {
            Stop(workers);
        }
    }

    [Fact]
    public async Task Lease_IsRenewedWhileHeld_AndReleasedOnlyByItsHolder()
    {
        var prefix = RedisEngine.UniquePrefix("flightlease");
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var store = new RedisSemanticCacheStore(engine.Connection, new RedisOptions { KeyPrefix = prefix, SingleFlightLease = TimeSpan.FromSeconds(9) }, time);
        var key = SemanticCacheKey.FromString("renewed");
        RedisKey flightKey = $"{prefix}:cache:f:{{{key}}}";

        var lease = await store.TryLeadAsync(key);
        Assert.NotNull(lease);
        Assert.Null(await store.TryLeadAsync(key)); // held: another instance waits
        await Db.KeyExpireAsync(flightKey, TimeSpan.FromMinutes(10));

        time.Advance(TimeSpan.FromSeconds(3)); // a third of the lease: the renewal sets it back to 9 s
        var clock = Stopwatch.StartNew();
        while ((await Db.KeyTimeToLiveAsync(flightKey)) > TimeSpan.FromSeconds(9))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the lease was never renewed");
            await Task.Yield();
        }

        await lease.DisposeAsync();
        Assert.False(await Db.KeyExistsAsync(flightKey));

        // A lease that expired and was taken by another instance is not deleted by its former holder.
        var stale = await store.TryLeadAsync(key);
        await Db.StringSetAsync(flightKey, "another instance's token");
        await stale!.DisposeAsync();
        Assert.Equal("another instance's token", (string?)await Db.StringGetAsync(flightKey));
    }

    [Fact]
    public async Task WaitForLeader_RedisUnreachable_ReturnsAtOnceAndTryLeadLeadsAlone()
    {
        await using var server = await RedisEngine.StartPrivateAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{server.Endpoint},abortConnect=false,connectTimeout=500,syncTimeout=500,asyncTimeout=500");
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();
        using var store = new RedisSemanticCacheStore(connection, new RedisOptions { KeyPrefix = "down", SingleFlightPollInterval = TimeSpan.FromMilliseconds(1) }, logger: logger);
        await server.StopAsync();

        var key = SemanticCacheKey.FromString("down");
        Assert.NotNull(await store.TryLeadAsync(key)); // a lease that holds nothing: this instance calls the provider
        Assert.Null(await store.WaitForLeaderAsync(key, TimeSpan.FromMinutes(1)));
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1905); // once per outage
    }

    private IDatabase Db => engine.Connection.GetDatabase();

    private Process[] Start(string prefix, string mode, bool streaming, int leaseMs, int waitMs)
        => [.. Enumerable.Range(0, Processes).Select(_ => WorkerProcess.Start(
            "redis-flight", engine.ConnectionString, prefix, mode, streaming.ToString(), leaseMs.ToString(CultureInfo.InvariantCulture), waitMs.ToString(CultureInfo.InvariantCulture)))];

    /// <summary>Waits until every worker is ready, starts them together, and returns the one that leads (the others wait).</summary>
    private async Task<Process> ElectAsync(Process[] workers, string prefix)
    {
        foreach (var w in workers)
        {
            Assert.Equal("ready", await NextAsync(w));
        }

        await Db.StringSetAsync(prefix + ":go", 1, TimeSpan.FromMinutes(5));
        var first = await Task.WhenAll(workers.Select(NextAsync));
        Assert.Equal(1, first.Count(l => l == "leading"));
        Assert.Equal(Processes - 1, first.Count(l => l == "waiting"));
        return workers[Array.IndexOf(first, "leading")];
    }

    private static async Task<string> ResultAsync(Process worker)
    {
        while (true)
        {
            var line = await NextAsync(worker);
            if (line.StartsWith("result=", StringComparison.Ordinal) || line.StartsWith("error=", StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    private static async Task<string> NextAsync(Process worker)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var line = await worker.StandardOutput.ReadLineAsync(timeout.Token);
        return line?.Trim() ?? throw new InvalidOperationException($"The worker ended without output: {await worker.StandardError.ReadToEndAsync()}");
    }

    private static void Stop(Process[] workers)
    {
        foreach (var w in workers)
        {
            if (!w.HasExited)
            {
                w.Kill(entireProcessTree: true);
            }

            w.Dispose();
        }
    }
}
