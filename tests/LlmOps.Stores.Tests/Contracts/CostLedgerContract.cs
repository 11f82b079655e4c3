using LlmOps.Metering;

namespace LlmOps.Stores.Tests.Contracts;

/// <summary>
/// The behaviour every <see cref="ICostLedger"/> promises, written once and run against each ledger. A ledger that
/// cannot honour a point overrides that test, marks it skipped with the reason in the attribute, and says so in its docs.
/// </summary>
public abstract class CostLedgerContract
{
    protected static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Creates an empty ledger.</summary>
    protected abstract Task<ICostLedger> CreateLedgerAsync();

    /// <summary>Creates a second ledger over the same data (another instance); the same object for an in-process ledger.</summary>
    protected abstract Task<ICostLedger> CreatePeerAsync(ICostLedger ledger);

    [Fact]
    public virtual async Task RecordAsync_ThenQuery_RoundTripsEveryField()
    {
        var ledger = await CreateLedgerAsync();
        var full = new CostRecord
        {
            RequestId = "req-1",
            Attempt = 2,
            Timestamp = Start.AddTicks(1234560), // whole microseconds: every engine keeps them
            Scope = new LlmOpsScope("acme", "ana", "search"),
            Model = "gpt-4o-mini-2024-07-18",
            PricedAs = "gpt-4o-mini",
            Tier = ModelTier.Small,
            InputTokens = 1200,
            CachedInputTokens = 300,
            OutputTokens = 456,
            GpuTime = TimeSpan.FromMilliseconds(1500),
            Cost = 0.000123456789012345678m,
            PriceSource = PriceSource.Model,
            IsEstimated = true,
            IsComplete = false,
            PromptName = "support.answer",
            PromptVersion = "3",
        };
        var bare = new CostRecord { RequestId = "req-2", Timestamp = Start.AddMinutes(1), Model = "local", Cost = 0m };

        Assert.True(await ledger.RecordAsync(full));
        Assert.True(await ledger.RecordAsync(bare));
        var records = await (await CreatePeerAsync(ledger)).QueryAsync(CostLedgerQuery.All);

        Assert.Equal([full, bare], records);
    }

    [Fact]
    public virtual async Task RecordAsync_SameRequestAndAttemptTwice_KeepsTheFirstAndReturnsFalse()
    {
        var ledger = await CreateLedgerAsync();
        var first = Record("r", 1, Start, 0.5m);

        Assert.True(await ledger.RecordAsync(first));
        Assert.False(await (await CreatePeerAsync(ledger)).RecordAsync(first with { Cost = 9m }));
        Assert.True(await ledger.RecordAsync(Record("r", 2, Start, 0.25m)));

        Assert.Equal(new CostTotals(2, 200, 0, 100, 0.75m, 0), await ledger.GetTotalsAsync(CostLedgerQuery.All));
    }

    [Fact]
    public virtual async Task RecordAsync_ConcurrentDuplicatesFromTwoInstances_ExactlyOneRowPerAttempt()
    {
        var ledger = await CreateLedgerAsync();
        var peer = await CreatePeerAsync(ledger);

        var added = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? ledger : peer).RecordAsync(Record($"r{i % 8}", 1, Start.AddSeconds(i % 8), 0.01m)))));

        Assert.Equal(8, added.Count(a => a));
        Assert.Equal(8, (await ledger.QueryAsync(CostLedgerQuery.All)).Count);
        Assert.Equal(0.08m, (await peer.GetTotalsAsync(CostLedgerQuery.All)).Cost);
    }

    [Fact]
    public virtual async Task QueryAsync_FiltersByScopeModelAndHalfOpenTimeRange_OldestFirst()
    {
        var ledger = await CreateLedgerAsync();
        await ledger.RecordAsync(Record("late", 1, Start.AddMinutes(30), 1m, new LlmOpsScope("acme", "ana", "chat"), "GPT-4o"));
        await ledger.RecordAsync(Record("early", 1, Start.AddMinutes(10), 2m, new LlmOpsScope("acme", "ana", "chat"), "gpt-4o"));
        await ledger.RecordAsync(Record("bo", 1, Start.AddMinutes(20), 4m, new LlmOpsScope("acme", "bo", "chat"), "gpt-4o"));
        await ledger.RecordAsync(Record("other-tenant", 1, Start.AddMinutes(20), 8m, new LlmOpsScope("globex", "ana", "chat"), "gpt-4o"));
        await ledger.RecordAsync(Record("other-model", 1, Start.AddMinutes(20), 16m, new LlmOpsScope("acme", "ana", "chat"), "claude"));
        await ledger.RecordAsync(Record("at-end", 1, Start.AddMinutes(60), 32m, new LlmOpsScope("acme", "ana", "chat"), "gpt-4o"));
        await ledger.RecordAsync(Record("global", 1, Start.AddMinutes(20), 64m, default, "gpt-4o"));
        var query = new CostLedgerQuery { Tenant = "acme", User = "ana", Feature = "chat", Model = "gpt-4O", From = Start.AddMinutes(10), To = Start.AddMinutes(60) };

        var records = await ledger.QueryAsync(query);
        var totals = await ledger.GetTotalsAsync(query);

        Assert.Equal(["early", "late"], records.Select(r => r.RequestId));
        Assert.Equal(3m, totals.Cost);
        Assert.Equal(2, totals.Attempts);
        Assert.Equal(5, (await ledger.QueryAsync(new CostLedgerQuery { Tenant = "acme" })).Count);
        Assert.Equal(127m, (await ledger.GetTotalsAsync(CostLedgerQuery.All)).Cost);
    }

    [Fact]
    public virtual async Task GetTotalsAsync_ManySmallCosts_SumsExactlyToTheLastDigit()
    {
        var ledger = await CreateLedgerAsync();
        var expected = 0m;
        var estimated = 0;
        for (var i = 0; i < 500; i++)
        {
            // Prices per 1M tokens give costs with up to ~12 decimals; a float sum would drift in the last digits.
            var cost = (1 + (i % 97)) * 0.15m / 1_000_000m + (i % 13) * 0.6m / 1_000_000m;
            expected += cost;
            estimated += i % 5 == 0 ? 1 : 0;
            await ledger.RecordAsync(Record($"r{i}", 1, Start.AddSeconds(i), cost) with { IsEstimated = i % 5 == 0, CachedInputTokens = 7 });
        }

        var totals = await (await CreatePeerAsync(ledger)).GetTotalsAsync(CostLedgerQuery.All);

        Assert.Equal(expected, totals.Cost);
        Assert.Equal(new CostTotals(500, 50_000, 3_500, 25_000, expected, estimated), totals);
    }

    [Fact]
    public virtual async Task GetTotalsAsync_NothingMatches_ReturnsZeroes()
    {
        var ledger = await CreateLedgerAsync();
        await ledger.RecordAsync(Record("r", 1, Start, 1m, new LlmOpsScope("acme")));

        Assert.Equal(default, await ledger.GetTotalsAsync(new CostLedgerQuery { Tenant = "nobody" }));
        Assert.Empty(await ledger.QueryAsync(new CostLedgerQuery { From = Start.AddDays(1) }));
    }

    protected static CostRecord Record(string requestId, int attempt, DateTimeOffset at, decimal cost, LlmOpsScope scope = default, string model = "m")
        => new()
        {
            RequestId = requestId,
            Attempt = attempt,
            Timestamp = at,
            Scope = scope,
            Model = model,
            InputTokens = 100,
            OutputTokens = 50,
            Cost = cost,
            PriceSource = PriceSource.Model,
        };
}
