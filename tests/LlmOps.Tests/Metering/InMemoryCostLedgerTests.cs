using LlmOps.Metering;

namespace LlmOps.Tests.Metering;

public class InMemoryCostLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RecordAsync_SameRequestAndAttempt_IsIdempotent()
    {
        var ledger = new InMemoryCostLedger();
        var record = new CostRecord { RequestId = "r1", Attempt = 1, Cost = 1m };

        Assert.True(await ledger.RecordAsync(record));
        Assert.False(await ledger.RecordAsync(record with { Cost = 5m }));
        Assert.True(await ledger.RecordAsync(record with { Attempt = 2 }));

        Assert.Equal(2m, (await ledger.GetTotalsAsync(CostLedgerQuery.All)).Cost);
    }

    [Fact]
    public async Task RecordAsync_GeneratedRequestIdAsNumberThenAsText_IsIdempotent()
    {
        // The metering stage records a generated id as its number; the same record given back as text is the same key.
        var ledger = new InMemoryCostLedger();
        var info = new LlmOpsInfo();
        var metered = new CostRecord { RequestOf = info, Attempt = 1, Cost = 1m };

        Assert.True(await ledger.RecordAsync(metered));
        Assert.False(await ledger.RecordAsync(new CostRecord { RequestId = info.RequestId, Attempt = 1, Cost = 3m }));
        Assert.True(await ledger.RecordAsync(new CostRecord { RequestId = "x" + info.RequestId[1..], Attempt = 1, Cost = 2m }));
        Assert.True(await ledger.RecordAsync(new CostRecord { RequestOf = new LlmOpsInfo(), Attempt = 1, Cost = 4m }));

        Assert.Equal(7m, (await ledger.GetTotalsAsync(CostLedgerQuery.All)).Cost);
        var records = await ledger.QueryAsync(CostLedgerQuery.All);
        Assert.Contains(records, r => r.RequestId == info.RequestId && r.Cost == 1m);
    }

    [Fact]
    public async Task QueryAsync_ByScopeAndTimeRange_ReturnsMatchesOldestFirst()
    {
        var ledger = new InMemoryCostLedger();
        await ledger.RecordAsync(new CostRecord { RequestId = "b", Timestamp = T0.AddMinutes(2), Scope = new("acme", "bob"), Cost = 2m, OutputTokens = 5 });
        await ledger.RecordAsync(new CostRecord { RequestId = "a", Timestamp = T0.AddMinutes(1), Scope = new("acme", "ann"), Cost = 1m, IsEstimated = true });
        await ledger.RecordAsync(new CostRecord { RequestId = "c", Timestamp = T0.AddMinutes(3), Scope = new("globex"), Cost = 4m });

        var acme = await ledger.QueryAsync(new CostLedgerQuery { Tenant = "acme" });
        Assert.Equal(["a", "b"], acme.Select(r => r.RequestId));

        var window = await ledger.GetTotalsAsync(new CostLedgerQuery { From = T0.AddMinutes(2), To = T0.AddMinutes(3) });
        Assert.Equal(new CostTotals(1, 0, 0, 5, 2m, 0), window);

        var all = await ledger.GetTotalsAsync(CostLedgerQuery.All);
        Assert.Equal(7m, all.Cost);
        Assert.Equal(1, all.EstimatedAttempts);
    }

    [Fact]
    public async Task RecordAsync_Null_Throws()
        => await Assert.ThrowsAsync<ArgumentNullException>(async () => await new InMemoryCostLedger().RecordAsync(null!));
}
