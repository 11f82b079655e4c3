using LlmOps.Metering;
using LlmOps.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Tests.Metering;

public class BudgetManagerTests
{
    private static readonly LlmOpsScope Acme = new("acme", "bob");

    [Fact]
    public async Task Reserve_ConcurrentCallers_NeverOverspends()
    {
        const decimal limit = 10m;
        const decimal c = 0.37m;
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), limit)], telemetry: new LlmOpsTelemetry());
        var admitted = 0;
        var rejected = 0;
        using var start = new ManualResetEventSlim();

        var tasks = Enumerable.Range(0, 1000).Select(_ => Task.Run(() =>
        {
            start.Wait();
            try
            {
                var reservation = manager.Reserve(Acme, c);
                Interlocked.Increment(ref admitted);
                reservation.Settle(c);
            }
            catch (BudgetExceededException)
            {
                Interlocked.Increment(ref rejected);
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(tasks);

        var status = Assert.Single(manager.GetStatus(Acme));
        Assert.Equal((int)Math.Floor(limit / c), admitted);
        Assert.Equal(1000 - admitted, rejected);
        Assert.Equal(admitted * c, status.Spent);
        Assert.True(status.Spent <= limit);
        Assert.Equal(0m, status.Reserved);
        Assert.Equal(0, manager.OpenReservations);
    }

    [Fact]
    public void Reserve_OverLimit_ThrowsWithScopeLimitSpentReservedAndReset()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 10, 30, 0, TimeSpan.Zero));
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), 1m, BudgetWindow.Day)], time, new LlmOpsTelemetry());
        manager.Reserve(Acme, 0.6m).Settle(0.5m);
        using var held = manager.Reserve(Acme, 0.3m);

        var ex = Assert.Throws<BudgetExceededException>(() => manager.Reserve(Acme, 0.25m));

        Assert.Equal(1m, ex.Limit);
        Assert.Equal(0.5m, ex.Spent);
        Assert.Equal(0.3m, ex.Reserved);
        Assert.Equal(0.25m, ex.Requested);
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 0, 0, 0, TimeSpan.Zero), ex.ResetsAt);
        Assert.Contains("tenant=acme", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2026-11-29", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(BudgetWindow.Minute, 60)]
    [InlineData(BudgetWindow.Hour, 3600)]
    [InlineData(BudgetWindow.Day, 86400)]
    public void Reserve_WindowElapses_SpendResets(BudgetWindow window, int seconds)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), 1m, window)], time, new LlmOpsTelemetry());
        manager.Reserve(Acme, 1m).Settle(1m);
        Assert.Throws<BudgetExceededException>(() => manager.Reserve(Acme, 0.01m));

        time.Advance(TimeSpan.FromSeconds(seconds - 1));
        Assert.Throws<BudgetExceededException>(() => manager.Reserve(Acme, 0.01m));

        time.Advance(TimeSpan.FromSeconds(1));
        manager.Reserve(Acme, 1m).Release();
    }

    [Fact]
    public void Reserve_MonthWindow_ResetsOnFirstOfNextMonth()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.Zero));
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), 1m, BudgetWindow.Month)], time, new LlmOpsTelemetry());
        manager.Reserve(Acme, 1m).Settle(1m);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), Assert.Throws<BudgetExceededException>(() => manager.Reserve(Acme, 1m)).ResetsAt);
        time.Advance(TimeSpan.FromMinutes(1));
        manager.Reserve(Acme, 1m).Release();
    }

    [Fact]
    public void Reserve_NestedScopes_AllEnforcedAndNothingReservedOnRejection()
    {
        var manager = new BudgetManager(
        [
            new Budget(new LlmOpsScope("acme"), 10m),
            new Budget(new LlmOpsScope("acme", "bob"), 1m),
        ], telemetry: new LlmOpsTelemetry());

        manager.Reserve(Acme, 1m).Settle(1m);
        Assert.Throws<BudgetExceededException>(() => manager.Reserve(Acme, 0.5m));

        // The tenant budget was not charged by the rejected request; another user still has room.
        var ann = new LlmOpsScope("acme", "ann");
        Assert.Equal(1m, Assert.Single(manager.GetStatus(ann)).Spent);
        manager.Reserve(ann, 9m).Settle(9m);
        Assert.Throws<BudgetExceededException>(() => manager.Reserve(ann, 0.01m));
    }

    [Fact]
    public void Reserve_EachTenantWildcard_GivesEveryTenantItsOwnLimit()
    {
        var manager = new BudgetManager([new Budget(new LlmOpsScope(Budget.Each), 1m)], telemetry: new LlmOpsTelemetry());
        manager.Reserve(new LlmOpsScope("a"), 1m).Settle(1m);
        Assert.Throws<BudgetExceededException>(() => manager.Reserve(new LlmOpsScope("a"), 0.1m));
        manager.Reserve(new LlmOpsScope("b"), 1m).Settle(1m);
        Assert.False(manager.AppliesTo(LlmOpsScope.Global));
    }

    [Fact]
    public void Settle_CrossesSoftThreshold_RaisesEventOncePerWindow()
    {
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), 10m) { SoftThresholds = [0.5, 0.8] }], telemetry: new LlmOpsTelemetry());
        var events = new List<BudgetThresholdEventArgs>();
        manager.ThresholdReached += (_, e) => events.Add(e);

        manager.Reserve(Acme, 1m).Settle(4m);
        Assert.Empty(events);
        manager.Reserve(Acme, 1m).Settle(2m);
        Assert.Equal([0.5], events.Select(e => e.Threshold));
        manager.Reserve(Acme, 1m).Settle(3m);
        manager.Reserve(Acme, 0.1m).Settle(0.1m);
        Assert.Equal([0.5, 0.8], events.Select(e => e.Threshold));
    }

    [Fact]
    public void Release_Twice_ReleasesOnceAndSettleAfterReleaseDoesNothing()
    {
        var manager = new BudgetManager([new Budget(new LlmOpsScope("acme"), 1m)], telemetry: new LlmOpsTelemetry());
        var r = manager.Reserve(Acme, 0.5m);
        Assert.True(r.Release());
        Assert.False(r.Release());
        Assert.False(r.Settle(0.5m));
        var status = Assert.Single(manager.GetStatus(Acme));
        Assert.Equal(0m, status.Spent + status.Reserved);
    }

    [Fact]
    public void Constructor_InvalidBudget_ThrowsNamingField()
    {
        var ex = Assert.Throws<ArgumentException>(() => new BudgetManager([new Budget(new LlmOpsScope("acme"), -1m)]));
        Assert.Contains("Limit", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => new BudgetManager([new Budget(new LlmOpsScope("acme"), 1m) { SoftThresholds = [double.NaN] }]));
        Assert.Contains("threshold", ex.Message, StringComparison.Ordinal);
    }
}
