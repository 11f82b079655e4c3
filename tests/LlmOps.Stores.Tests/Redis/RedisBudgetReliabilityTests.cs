using System.Diagnostics;
using System.Globalization;
using LlmOps.Metering;
using LlmOps.Redis;
using LlmOps.Stores.Tests.Engines;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace LlmOps.Stores.Tests.Redis;

/// <summary>Budgets in a real Redis: leases, separate OS processes, a crash, an engine restart.</summary>
[Collection(RedisEngineCollection.Name)]
public sealed class RedisBudgetReliabilityTests(RedisEngine engine)
{
    private static readonly LlmOpsScope Acme = new("acme", "ada");

    [Fact]
    public void Reserve_AfterTheLeaseOfAnUnsettledReservation_ReleasesIt()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 14, 10, 0, 0, TimeSpan.Zero));
        var options = new RedisOptions { KeyPrefix = RedisEngine.UniquePrefix("lease"), BudgetLease = TimeSpan.FromSeconds(30) };
        Budget[] budgets = [new Budget(new LlmOpsScope(Budget.Each), 1m) { Name = "tenant" }];
        var dead = new BudgetManager(budgets, time, store: new RedisBudgetStore(engine.Connection, options));
        var live = new BudgetManager(budgets, time, store: new RedisBudgetStore(engine.Connection, options));
        _ = dead.Reserve(Acme, 0.75m); // never settled: its instance "died"

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Throws<BudgetExceededException>(() => live.Reserve(Acme, 0.5m));

        time.Advance(TimeSpan.FromSeconds(2));
        live.Reserve(Acme, 1m).Settle(1m);
        Assert.Equal(1m, live.GetStatus(Acme)[0].Spent);
        Assert.Equal(0m, live.GetStatus(Acme)[0].Reserved);
    }

    [Fact]
    public void Settle_AfterItsLeaseWasReaped_RecordsTheSpendWithoutReleasingTwice()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 14, 10, 0, 0, TimeSpan.Zero));
        var options = new RedisOptions { KeyPrefix = RedisEngine.UniquePrefix("late"), BudgetLease = TimeSpan.FromSeconds(10) };
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), 1m)], time, store: new RedisBudgetStore(engine.Connection, options));
        var slow = manager.Reserve(Acme, 0.5m);
        time.Advance(TimeSpan.FromSeconds(11));
        using var other = manager.Reserve(Acme, 0.4m); // reaps the slow call's lease

        slow.Settle(0.3m);

        var status = manager.GetStatus(Acme)[0];
        Assert.Equal(0.3m, status.Spent);
        Assert.Equal(0.4m, status.Reserved);
    }

    [Fact]
    public async Task Reserve_FourProcessesOf250ConcurrentCallers_AdmitExactlyFloorOfBudgetOverCost()
    {
        const decimal limit = 3.337m;
        const decimal cost = 0.01m; // floor(3.337 / 0.01) = 333 of 1000
        var prefix = RedisEngine.UniquePrefix("procs");
        var workers = Enumerable.Range(0, 4).Select(_ => WorkerProcess.Start(
            "redis-budget", engine.ConnectionString, prefix, "3.337", "0.01", "250", "60000", "settle")).ToArray();
        try
        {
            foreach (var w in workers)
            {
                Assert.Equal("ready", await ReadLineAsync(w));
            }

            await engine.Connection.GetDatabase().StringSetAsync(prefix + ":go", 1, TimeSpan.FromMinutes(5));
            int admitted = 0, rejected = 0;
            foreach (var w in workers)
            {
                var line = await ReadLineAsync(w);
                var parts = line.Split(' ').Select(p => int.Parse(p.Split('=')[1], CultureInfo.InvariantCulture)).ToArray();
                admitted += parts[0];
                rejected += parts[1];
                await w.WaitForExitAsync();
                Assert.Equal(0, w.ExitCode);
            }

            Assert.Equal(333, admitted);
            Assert.Equal(667, rejected);
            var status = SharedManager(prefix, limit).GetStatus(Acme)[0];
            Assert.Equal(333 * cost, status.Spent);
            Assert.Equal(0m, status.Reserved);
            Assert.True(status.Spent <= limit);
        }
        finally
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

    [Fact]
    public async Task Kill9_OfAProcessHoldingReservations_ReleasesThemAfterTheLease()
    {
        var prefix = RedisEngine.UniquePrefix("kill");
        const int leaseMs = 1500;
        using var worker = WorkerProcess.Start("redis-budget", engine.ConnectionString, prefix, "1", "0.1", "10", leaseMs.ToString(CultureInfo.InvariantCulture), "hold");
        try
        {
            Assert.Equal("ready", await ReadLineAsync(worker));
            await engine.Connection.GetDatabase().StringSetAsync(prefix + ":go", 1, TimeSpan.FromMinutes(5));
            Assert.Equal("held=10", await ReadLineAsync(worker));

            worker.Kill(); // SIGKILL: no chance to release anything
            var killed = Stopwatch.StartNew();
            await worker.WaitForExitAsync();
            var manager = SharedManager(prefix, 1m);
            Assert.Throws<BudgetExceededException>(() => manager.Reserve(Acme, 0.1m));

            // Bounded polling for the real engine's effect: the lease runs out on the wall clock.
            while (manager.GetStatus(Acme)[0].Reserved != 0m && killed.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(50);
            }

            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(15), "the reservations of the killed process were never released");
            var status = manager.GetStatus(Acme)[0];
            Assert.Equal(0m, status.Reserved);
            Assert.Equal(0m, status.Spent);
            manager.Reserve(Acme, 1m).Settle(1m);
            Assert.Throws<BudgetExceededException>(() => manager.Reserve(Acme, 0.000000001m));
        }
        finally
        {
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task EngineRestart_BudgetsFailClosed_SettlementsAreKept_AndTheClientRecovers()
    {
        await using var server = await RedisEngine.StartPrivateAsync("--appendonly", "yes", "--appendfsync", "always");
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{server.Endpoint},abortConnect=false,connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000");
        var logger = new FakeLogger();
        var store = new RedisBudgetStore(connection, new RedisOptions { KeyPrefix = "restart" }, logger);
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), 1m)], store: store);
        var inFlight = manager.Reserve(Acme, 0.5m);

        await server.StopAsync();

        var refused = Assert.Throws<RedisStoreUnavailableException>(() => manager.Reserve(Acme, 0.1m));
        Assert.Contains(server.Endpoint, refused.Message, StringComparison.Ordinal);
        Assert.Contains("fail closed", refused.Message, StringComparison.Ordinal);
        Assert.Throws<RedisStoreUnavailableException>(() => manager.Reserve(Acme, 0.1m));
        Assert.True(inFlight.Settle(0.4m)); // the call was made: kept, not lost
        Assert.Equal(1, store.PendingCompletions);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1903);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1902);

        await server.StartAsync();
        var clock = Stopwatch.StartNew();
        BudgetReservation? next = null;
        while (next is null && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                next = manager.Reserve(Acme, 0.6m);
            }
            catch (RedisStoreUnavailableException)
            {
                await Task.Delay(50);
            }
        }

        Assert.NotNull(next);
        Assert.Equal(0, store.PendingCompletions);
        var status = manager.GetStatus(Acme)[0];
        Assert.Equal(0.4m, status.Spent);
        Assert.Equal(0.6m, status.Reserved);
    }

    [Fact]
    public async Task EngineRestart_AsyncPath_FailsClosed_KeepsTheSettlement_AndRecovers()
    {
        await using var server = await RedisEngine.StartPrivateAsync("--appendonly", "yes", "--appendfsync", "always");
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{server.Endpoint},abortConnect=false,connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000");
        var store = new RedisBudgetStore(connection, new RedisOptions { KeyPrefix = "restart-async" });
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), 1m)], store: store);
        var inFlight = await manager.ReserveAsync(Acme, 0.5m);

        await server.StopAsync();

        var refused = await Assert.ThrowsAsync<RedisStoreUnavailableException>(async () => await manager.ReserveAsync(Acme, 0.1m));
        Assert.Contains(server.Endpoint, refused.Message, StringComparison.Ordinal);
        Assert.True(await inFlight.SettleAsync(0.4m)); // the call was made: kept, not lost
        Assert.Equal(1, store.PendingCompletions);

        await server.StartAsync();
        var clock = Stopwatch.StartNew();
        BudgetReservation? next = null;
        while (next is null && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                next = await manager.ReserveAsync(Acme, 0.6m);
            }
            catch (RedisStoreUnavailableException)
            {
                await Task.Delay(50);
            }
        }

        Assert.NotNull(next);
        Assert.Equal(0, store.PendingCompletions);
        var status = manager.GetStatus(Acme)[0];
        Assert.Equal(0.4m, status.Spent);
        Assert.Equal(0.6m, status.Reserved);
    }

    private BudgetManager SharedManager(string prefix, decimal limit)
        => new([new Budget(new LlmOpsScope("acme"), limit) { Name = "shared" }], store: new RedisBudgetStore(engine.Connection, new RedisOptions { KeyPrefix = prefix }));

    private static async Task<string> ReadLineAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null)
        {
            throw new InvalidOperationException($"The worker ended without output: {await process.StandardError.ReadToEndAsync()}");
        }

        return line.Trim();
    }
}
