using LlmOps.Metering;

namespace LlmOps.Tests.Metering;

/// <summary>Issue 16: the default ledger is bounded and its totals stay exact.</summary>
public sealed class InMemoryCostLedgerBoundedTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RecordAsync_ManyMoreThanTheWindow_KeepsRecentRecordsAndExactTotals()
    {
        var ledger = new InMemoryCostLedger(recentRecords: 50);
        var records = new List<CostRecord>();
        for (var i = 0; i < 5000; i++)
        {
            // One record every 7 minutes and 13 seconds: about 25 days, unaligned to any boundary.
            var record = new CostRecord
            {
                RequestId = $"r{i}",
                Timestamp = Start + TimeSpan.FromSeconds(i * 433),
                Scope = new LlmOpsScope($"t{i % 4}", $"u{i % 7}", i % 3 == 0 ? "chat" : null),
                Model = i % 2 == 0 ? "gpt-4o" : "GPT-4o-mini",
                InputTokens = 100 + i,
                CachedInputTokens = i % 5,
                OutputTokens = 10 + (i % 11),
                Cost = 0.000001m * (i + 1),
                IsEstimated = i % 9 == 0,
            };
            records.Add(record);
            Assert.True(await ledger.RecordAsync(record));
        }

        var last = records[^1].Timestamp;
        var lastDay = new DateTimeOffset(last.UtcDateTime.Date, TimeSpan.Zero);
        var lastHour = lastDay.AddHours(last.Hour);
        var lastMinute = lastHour.AddMinutes(last.Minute);
        CostLedgerQuery[] queries =
        [
            CostLedgerQuery.All,
            new() { Tenant = "t1" },
            new() { Tenant = "t2", User = "u3", Feature = "chat" },
            new() { Model = "gpt-4o-MINI" },
            new() { From = Start.AddDays(3), To = Start.AddDays(10) },                  // day boundaries
            new() { Tenant = "t0", From = lastDay.AddDays(-2).AddHours(5), To = lastHour }, // hours within 3 days
            new() { From = lastMinute.AddMinutes(-150), To = lastMinute },                // minutes within 3 hours
            new() { From = records[^30].Timestamp.AddSeconds(1), To = records[^3].Timestamp }, // within the recent records
            new() { From = lastDay },                                                      // open end
        ];
        await AssertExactTotalsAsync(ledger, records, queries);

        Assert.Equal(50, ledger.Count);
        Assert.Equal(5000, ledger.TotalRecorded);
        Assert.Equal(records.TakeLast(50), await ledger.QueryAsync(CostLedgerQuery.All));
    }

    [Fact]
    public async Task GetTotalsAsync_ReadInTheMiddleOfARunOfOneScopeAndMinute_CountsEveryRecordOnce()
    {
        // Records of one scope and model in one minute accumulate as a run and reach the aggregates when read.
        var ledger = new InMemoryCostLedger(recentRecords: 2);
        async Task RecordAsync(int i, string tenant, int minute)
            => Assert.True(await ledger.RecordAsync(new CostRecord
            {
                RequestId = $"r{i}",
                Timestamp = Start.AddMinutes(minute).AddSeconds(i % 50),
                Scope = new LlmOpsScope(tenant),
                Model = "m",
                InputTokens = 10,
                Cost = 1m,
            }));

        for (var i = 0; i < 3; i++)
        {
            await RecordAsync(i, "a", 0);
        }

        Assert.Equal(new CostTotals(3, 30, 0, 0, 3m, 0), await ledger.GetTotalsAsync(CostLedgerQuery.All));
        for (var i = 3; i < 5; i++)
        {
            await RecordAsync(i, "a", 0);
        }

        await RecordAsync(5, "b", 0);
        await RecordAsync(6, "a", 1);
        await RecordAsync(7, "a", 1);

        Assert.Equal(new CostTotals(8, 80, 0, 0, 8m, 0), await ledger.GetTotalsAsync(CostLedgerQuery.All));
        Assert.Equal(7m, (await ledger.GetTotalsAsync(new CostLedgerQuery { Tenant = "a" })).Cost);
        Assert.Equal(5m, (await ledger.GetTotalsAsync(new CostLedgerQuery { Tenant = "a", From = Start, To = Start.AddMinutes(1) })).Cost);
        Assert.Equal(2m, (await ledger.GetTotalsAsync(new CostLedgerQuery { From = Start.AddMinutes(1), To = Start.AddMinutes(2) })).Cost);
    }

    [Fact]
    public async Task RecordAsync_DuplicateWithinWindow_Ignored()
    {
        var ledger = new InMemoryCostLedger(recentRecords: 10);
        var record = new CostRecord { RequestId = "a", Timestamp = Start, Model = "m", Cost = 1m };
        Assert.True(await ledger.RecordAsync(record));
        Assert.False(await ledger.RecordAsync(record with { Cost = 2m }));
        Assert.Equal(1m, (await ledger.GetTotalsAsync(CostLedgerQuery.All)).Cost);
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryCostLedger(0));
    }

    [Fact]
    public async Task RecordAsync_RunsOfOneScopeAcrossMinutesAndBackdatedRecords_KeepsExactTotals()
    {
        // Runs of records with one scope and model in one minute (the ledger reuses the last record's buckets), scope
        // changes inside a minute, minute and hour boundaries, and records dated back into earlier minutes.
        var ledger = new InMemoryCostLedger(recentRecords: 20);
        var records = new List<CostRecord>();
        for (var i = 0; i < 3000; i++)
        {
            var at = i % 97 == 0 ? Start + TimeSpan.FromSeconds((i - 500) * 2.5) : Start + TimeSpan.FromSeconds(i * 2.5);
            var record = new CostRecord
            {
                RequestId = $"r{i}",
                Timestamp = at < Start ? Start : at,
                Scope = new LlmOpsScope((i / 10) % 3 == 0 ? "t0" : "t1", "u", null),
                Model = (i / 35) % 2 == 0 ? "gpt-4o" : "gpt-4o-mini",
                InputTokens = 10 + i,
                OutputTokens = i % 13,
                Cost = 0.0001m * (i % 17 + 1),
                IsEstimated = i % 11 == 0,
            };
            records.Add(record);
            Assert.True(await ledger.RecordAsync(record));
        }

        var last = records.Max(r => r.Timestamp);
        var lastMinute = new DateTimeOffset(last.Year, last.Month, last.Day, last.Hour, last.Minute, 0, TimeSpan.Zero);
        CostLedgerQuery[] queries =
        [
            CostLedgerQuery.All,
            new() { Tenant = "t0" },
            new() { Tenant = "t1", Model = "gpt-4o-mini" },
            new() { From = Start.AddMinutes(10), To = Start.AddMinutes(40) },
            new() { Tenant = "t1", From = lastMinute.AddMinutes(-60), To = lastMinute },
        ];
        await AssertExactTotalsAsync(ledger, records, queries);
    }

    private static async Task AssertExactTotalsAsync(InMemoryCostLedger ledger, List<CostRecord> records, CostLedgerQuery[] queries)
    {
        foreach (var query in queries)
        {
            var expected = records.Where(query.Matches).ToList();
            var totals = await ledger.GetTotalsAsync(query);
            Assert.Equal(
                new CostTotals(expected.Count, expected.Sum(r => r.InputTokens), expected.Sum(r => r.CachedInputTokens), expected.Sum(r => r.OutputTokens), expected.Sum(r => r.Cost), expected.Count(r => r.IsEstimated)),
                totals);
        }
    }
}
