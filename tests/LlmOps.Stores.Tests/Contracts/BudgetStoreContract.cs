using LlmOps.Metering;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Stores.Tests.Contracts;

/// <summary>
/// What every <see cref="IBudgetStore"/> must do, written once and run against each store (in memory, Redis). Tests go
/// through <see cref="BudgetManager"/>, the way the pipeline uses a store, on a <see cref="FakeTimeProvider"/>.
/// </summary>
public abstract class BudgetStoreContract
{
    protected static readonly LlmOpsScope AcmeAda = new("acme", "ada");

    /// <summary>Creates a store with state of its own (no other test sees it).</summary>
    protected abstract IBudgetStore CreateStore();

    /// <summary>Creates a second instance's store over the same state as <paramref name="store"/> (another process would).</summary>
    protected abstract IBudgetStore CreatePeer(IBudgetStore store);

    protected static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 3, 14, 10, 0, 0, TimeSpan.Zero));

    protected static Budget[] Nested(decimal tenantLimit, decimal userLimit, BudgetWindow window = BudgetWindow.Total) =>
    [
        new Budget(new LlmOpsScope(Budget.Each), tenantLimit, window) { Name = "tenant" },
        new Budget(new LlmOpsScope(Budget.Each, Budget.Each), userLimit, window) { Name = "user" },
    ];

    [Fact]
    public void Reserve_WithinLimits_HoldsTheAmountInEveryNestedPartition()
    {
        var manager = new BudgetManager(Nested(10m, 2m), Clock(), store: CreateStore());

        using var reservation = manager.Reserve(AcmeAda, 1.25m);

        var status = manager.GetStatus(AcmeAda);
        Assert.Equal(2, status.Count);
        Assert.All(status, s => Assert.Equal(1.25m, s.Reserved));
        Assert.Equal(new LlmOpsScope("acme"), status[0].Scope);
        Assert.Equal(AcmeAda, status[1].Scope);
    }

    [Fact]
    public void Reserve_UserPartitionFull_ReservesNothingInTheTenantEither()
    {
        var manager = new BudgetManager(Nested(10m, 2m), Clock(), store: CreateStore());
        using var first = manager.Reserve(AcmeAda, 1.5m);

        var ex = Assert.Throws<BudgetExceededException>(() => manager.Reserve(AcmeAda, 1m));

        Assert.Equal("user", ex.Budget.Name);
        Assert.Equal(1.5m, ex.Reserved);
        Assert.Equal(1m, ex.Requested);
        Assert.All(manager.GetStatus(AcmeAda), s => Assert.Equal(1.5m, s.Reserved));

        // Another user of the same tenant still has room in the tenant: the failed attempt left nothing behind.
        using var other = manager.Reserve(new LlmOpsScope("acme", "bob"), 2m);
        Assert.Equal(3.5m, manager.GetStatus(new LlmOpsScope("acme", "bob"))[0].Reserved);
    }

    [Fact]
    public void Settle_ReplacesTheReservationWithTheActualCost()
    {
        var manager = new BudgetManager(Nested(10m, 5m), Clock(), store: CreateStore());
        var reservation = manager.Reserve(AcmeAda, 2m);

        Assert.True(reservation.Settle(0.123456789m));

        Assert.All(manager.GetStatus(AcmeAda), s =>
        {
            Assert.Equal(0.123456789m, s.Spent);
            Assert.Equal(0m, s.Reserved);
        });
        Assert.False(reservation.Settle(1m));
        Assert.False(reservation.Release());
        Assert.Equal(0.123456789m, manager.GetStatus(AcmeAda)[0].Spent);
        Assert.Equal(0, manager.OpenReservations);
    }

    [Fact]
    public void Release_FreesTheReservation_AndSpendsNothing()
    {
        var manager = new BudgetManager(Nested(1m, 1m), Clock(), store: CreateStore());
        var reservation = manager.Reserve(AcmeAda, 1m);
        Assert.Throws<BudgetExceededException>(() => manager.Reserve(AcmeAda, 0.5m));

        reservation.Dispose();

        Assert.All(manager.GetStatus(AcmeAda), s => Assert.Equal(0m, s.Reserved + s.Spent));
        manager.Reserve(AcmeAda, 1m).Settle(1m);
        Assert.Equal(1m, manager.GetStatus(AcmeAda)[0].Spent);
    }

    [Fact]
    public async Task Reserve_ConcurrentCallers_NeverOverspend()
    {
        const decimal cost = 0.01m;
        const decimal limit = 1.005m; // room for floor(1.005 / 0.01) = 100 calls
        var store = CreateStore();
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), limit)], Clock(), store: store);
        var admitted = 0;
        var rejected = 0;
        var threads = Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < 25; i++)
            {
                try
                {
                    manager.Reserve(AcmeAda, cost).Settle(cost);
                    Interlocked.Increment(ref admitted);
                }
                catch (BudgetExceededException)
                {
                    Interlocked.Increment(ref rejected);
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        await Task.WhenAll(threads);

        Assert.Equal(100, admitted);
        Assert.Equal(100, rejected);
        var status = manager.GetStatus(AcmeAda)[0];
        Assert.Equal(1.00m, status.Spent);
        Assert.Equal(0m, status.Reserved);
    }

    [Fact]
    public async Task ReserveAsync_ConcurrentCallers_NeverOverspend()
    {
        const decimal cost = 0.01m;
        const decimal limit = 1.005m; // room for floor(1.005 / 0.01) = 100 calls
        var store = CreateStore();
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), limit)], Clock(), store: store);
        var admitted = 0;
        var rejected = 0;
        var callers = Enumerable.Range(0, 64).Select(async c =>
        {
            await Task.Yield();
            for (var i = 0; i < 4; i++)
            {
                try
                {
                    await using var reservation = await manager.ReserveAsync(AcmeAda, cost);
                    Interlocked.Increment(ref admitted);
                    Assert.True(await reservation.SettleAsync(cost));
                }
                catch (BudgetExceededException)
                {
                    Interlocked.Increment(ref rejected);
                }
            }
        }).ToArray();
        await Task.WhenAll(callers);

        Assert.Equal(100, admitted);
        Assert.Equal(156, rejected);
        var status = manager.GetStatus(AcmeAda)[0];
        Assert.Equal(1.00m, status.Spent);
        Assert.Equal(0m, status.Reserved);
        Assert.Equal(0, manager.OpenReservations);
    }

    [Fact]
    public async Task ReserveAsync_HoldsLikeReserve_ReleaseAsyncFrees_AndThresholdsAreRaised()
    {
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), 10m) { SoftThresholds = [0.5] }], Clock(), store: CreateStore());
        var seen = new List<double>();
        manager.ThresholdReached += (_, e) => seen.Add(e.Threshold);

        var held = await manager.ReserveAsync(AcmeAda, 6m);
        var ex = await Assert.ThrowsAsync<BudgetExceededException>(async () => await manager.ReserveAsync(AcmeAda, 4.5m));
        Assert.Equal(6m, ex.Reserved);

        Assert.True(await held.ReleaseAsync());
        Assert.False(await held.SettleAsync(1m));
        var status = manager.GetStatus(AcmeAda)[0];
        Assert.Equal(0m, status.Spent + status.Reserved);

        // The two paths mix: reserved asynchronously, settled synchronously (and the other way round).
        Assert.True((await manager.ReserveAsync(AcmeAda, 1m)).Settle(0.25m));
        Assert.True(await manager.Reserve(AcmeAda, 1m).SettleAsync(0.5m));
        Assert.Equal(0.75m, manager.GetStatus(AcmeAda)[0].Spent);
        Assert.Equal([0.5], seen);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await manager.ReserveAsync(AcmeAda, 1m, cancelled.Token));
        Assert.Equal(0m, manager.GetStatus(AcmeAda)[0].Reserved);
        Assert.Equal(0, manager.OpenReservations);
    }

    [Fact]
    public void Window_NextDay_SpendResets_AndAReservationInFlightStaysHeld()
    {
        // Two minutes before midnight, so the reservation in flight is well within a shared store's lease.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 14, 23, 58, 0, TimeSpan.Zero));
        var manager = new BudgetManager(Nested(1m, 1m, BudgetWindow.Day), time, store: CreateStore());
        manager.Reserve(AcmeAda, 0.6m).Settle(0.6m);
        var inFlight = manager.Reserve(AcmeAda, 0.3m);
        Assert.Throws<BudgetExceededException>(() => manager.Reserve(AcmeAda, 0.2m));

        time.Advance(TimeSpan.FromMinutes(3));

        var status = manager.GetStatus(AcmeAda)[0];
        Assert.Equal(0m, status.Spent);
        Assert.Equal(0.3m, status.Reserved);
        Assert.Equal(new DateTimeOffset(2026, 3, 15, 0, 0, 0, TimeSpan.Zero), status.WindowStart);
        Assert.Equal(new DateTimeOffset(2026, 3, 16, 0, 0, 0, TimeSpan.Zero), status.ResetsAt);
        manager.Reserve(AcmeAda, 0.7m).Release();
        Assert.Throws<BudgetExceededException>(() => manager.Reserve(AcmeAda, 0.71m));

        // Settled in the new window, the call counts there.
        inFlight.Settle(0.25m);
        Assert.Equal(0.25m, manager.GetStatus(AcmeAda)[0].Spent);
        Assert.Equal(0m, manager.GetStatus(AcmeAda)[0].Reserved);
    }

    [Fact]
    public void Window_SharedAcrossInstances_ResetsForBoth()
    {
        var time = Clock();
        var store = CreateStore();
        Budget[] budgets = [new Budget(new LlmOpsScope("acme"), 1m, BudgetWindow.Hour)];
        var a = new BudgetManager(budgets, time, store: store);
        var b = new BudgetManager(budgets, time, store: CreatePeer(store));
        a.Reserve(AcmeAda, 1m).Settle(1m);
        Assert.Throws<BudgetExceededException>(() => b.Reserve(AcmeAda, 0.01m));

        time.Advance(TimeSpan.FromHours(1));

        b.Reserve(AcmeAda, 0.4m).Settle(0.4m);
        Assert.Equal(0.4m, a.GetStatus(AcmeAda)[0].Spent);
    }

    [Fact]
    public void Peer_SeesReservationsMadeByAnotherInstance()
    {
        var store = CreateStore();
        var budgets = Nested(3m, 3m);
        var a = new BudgetManager(budgets, Clock(), store: store);
        var b = new BudgetManager(budgets, Clock(), store: CreatePeer(store));

        using var held = a.Reserve(AcmeAda, 2m);

        Assert.Equal(2m, b.GetStatus(AcmeAda)[1].Reserved);
        Assert.Throws<BudgetExceededException>(() => b.Reserve(AcmeAda, 1.5m));
    }

    [Fact]
    public void Thresholds_CrossedOncePerWindow_EvenAcrossReserveAndSettle()
    {
        var time = Clock();
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), 10m, BudgetWindow.Day) { SoftThresholds = [0.5, 0.8] }], time, store: CreateStore());
        var seen = new List<(double Threshold, decimal Used)>();
        manager.ThresholdReached += (_, e) => seen.Add((e.Threshold, e.Spent + e.Reserved));

        var r = manager.Reserve(AcmeAda, 6m);  // crosses 0.5 (used 6)
        r.Settle(4m);                           // used 4: nothing
        manager.Reserve(AcmeAda, 4.5m).Settle(4.5m); // used 8.5: crosses 0.8 once
        time.Advance(TimeSpan.FromDays(1));
        manager.Reserve(AcmeAda, 5m).Release(); // a new window: 0.5 again

        Assert.Equal([(0.5, 6m), (0.8, 8.5m), (0.5, 5m)], seen);
    }

    [Fact]
    public void Reserve_NoBudgetApplies_HoldsNothing()
    {
        var manager = new BudgetManager(Nested(1m, 1m), Clock(), store: CreateStore());

        using var reservation = manager.Reserve(LlmOpsScope.Global, 5m);

        Assert.Empty(manager.GetStatus(LlmOpsScope.Global));
        Assert.Equal(1, manager.OpenReservations);
    }
}
