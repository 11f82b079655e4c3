using System.Diagnostics;
using System.Globalization;
using LlmOps.Metering;
using LlmOps.PostgreSql;
using LlmOps.Stores.Tests.Engines;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace LlmOps.Stores.Tests.PostgreSql;

/// <summary>Budgets in a real PostgreSQL: separate OS processes, leases.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlBudgetReliabilityTests(PostgresEngine engine, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly LlmOpsScope Acme = new("acme", "ada");
    private NpgsqlDataSource _dataSource = null!;

    public Task InitializeAsync()
    {
        _dataSource = NpgsqlDataSource.Create(engine.ConnectionString);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [Fact]
    public async Task Reserve_FourProcessesOf250ConcurrentCallers_AdmitExactlyFloorOfBudgetOverCost()
    {
        const decimal limit = 3.337m;
        const decimal cost = 0.01m; // floor(3.337 / 0.01) = 333 of 1000
        var schema = engine.NewSchema("budgetprocs");
        await PostgreSqlSchema.MigrateAsync(_dataSource, schema);
        var go = Path.Combine(Path.GetTempPath(), "llmops-pg-budget-go-" + Guid.NewGuid().ToString("N"));
        var workers = Enumerable.Range(0, 4).Select(_ => WorkerProcess.Start("pg-budget", engine.ConnectionString, schema, "3.337", "0.01", "250", go)).ToArray();
        try
        {
            foreach (var w in workers)
            {
                Assert.Equal("ready", await ReadLineAsync(w));
            }

            await File.WriteAllTextAsync(go, "go");
            var clock = Stopwatch.StartNew();
            int admitted = 0, rejected = 0;
            foreach (var w in workers)
            {
                var parts = (await ReadLineAsync(w)).Split(' ').Select(p => int.Parse(p.Split('=')[1], CultureInfo.InvariantCulture)).ToArray();
                admitted += parts[0];
                rejected += parts[1];
                await w.WaitForExitAsync();
                Assert.Equal(0, w.ExitCode);
            }

            output.WriteLine($"1,000 reservations and 333 settlements from 4 processes in {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal(333, admitted);
            Assert.Equal(667, rejected);
            var status = new BudgetManager([new Budget(new LlmOpsScope("acme"), limit) { Name = "shared" }], store: new PostgreSqlBudgetStore(_dataSource, schema)).GetStatus(Acme)[0];
            Assert.Equal(333 * cost, status.Spent);
            Assert.Equal(0m, status.Reserved);
        }
        finally
        {
            File.Delete(go);
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
    public void Reserve_AfterTheLeaseOfAnUnsettledReservation_ReleasesIt_AndALateSettleCountsOnlyItsSpend()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 14, 10, 0, 0, TimeSpan.Zero));
        var schema = engine.NewSchema("budgetlease");
        Budget[] budgets = [new Budget(new LlmOpsScope(Budget.Each), 1m) { Name = "tenant" }];
        var dead = new BudgetManager(budgets, time, store: new PostgreSqlBudgetStore(_dataSource, schema, TimeSpan.FromSeconds(30)));
        var live = new BudgetManager(budgets, time, store: new PostgreSqlBudgetStore(_dataSource, schema, TimeSpan.FromSeconds(30)));
        var slow = dead.Reserve(Acme, 0.75m); // not settled within its lease: its instance "died" or hung

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Throws<BudgetExceededException>(() => live.Reserve(Acme, 0.5m));

        time.Advance(TimeSpan.FromSeconds(2));
        var next = live.Reserve(Acme, 0.5m); // reaps the expired lease
        Assert.Equal(0.5m, live.GetStatus(Acme)[0].Reserved);

        slow.Settle(0.25m); // late: its spend counts, its reservation is not released twice
        var status = live.GetStatus(Acme)[0];
        Assert.Equal(0.25m, status.Spent);
        Assert.Equal(0.5m, status.Reserved);
        next.Release();
    }

    [Fact]
    public async Task Kill9_OfAProcessHoldingReservations_ReleasesThemAfterTheLease()
    {
        const int leaseMs = 1500;
        var schema = engine.NewSchema("budgetkill");
        await PostgreSqlSchema.MigrateAsync(_dataSource, schema);
        var go = Path.Combine(Path.GetTempPath(), "llmops-pg-budget-go-" + Guid.NewGuid().ToString("N"));
        using var worker = WorkerProcess.Start("pg-budget", engine.ConnectionString, schema, "1", "0.1", "10", go, leaseMs.ToString(CultureInfo.InvariantCulture), "hold");
        try
        {
            Assert.Equal("ready", await ReadLineAsync(worker));
            await File.WriteAllTextAsync(go, "go");
            Assert.Equal("held=10", await ReadLineAsync(worker));

            worker.Kill(); // SIGKILL: no chance to release anything
            var killed = Stopwatch.StartNew();
            await worker.WaitForExitAsync();
            var manager = new BudgetManager(
                [new Budget(new LlmOpsScope("acme"), 1m) { Name = "shared" }],
                store: new PostgreSqlBudgetStore(_dataSource, schema, TimeSpan.FromMilliseconds(leaseMs)));
            Assert.Throws<BudgetExceededException>(() => manager.Reserve(Acme, 0.1m));

            // Bounded polling for the real engine's effect: the lease runs out on the wall clock, and the next
            // reservation reaps it.
            BudgetReservation? whole = null;
            while (whole is null && killed.Elapsed < TimeSpan.FromSeconds(15))
            {
                try
                {
                    whole = manager.Reserve(Acme, 1m);
                }
                catch (BudgetExceededException)
                {
                    await Task.Delay(50);
                }
            }

            Assert.True(whole is not null, "the reservations of the killed process were never released");
            Assert.True(whole.Settle(1m));
            var status = manager.GetStatus(Acme)[0];
            Assert.Equal(0m, status.Reserved);
            Assert.Equal(1m, status.Spent);
            Assert.Throws<BudgetExceededException>(() => manager.Reserve(Acme, 0.000000001m));
        }
        finally
        {
            File.Delete(go);
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<string> ReadLineAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(300));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        return line?.Trim() ?? throw new InvalidOperationException($"The worker ended without output: {await process.StandardError.ReadToEndAsync()}");
    }
}
