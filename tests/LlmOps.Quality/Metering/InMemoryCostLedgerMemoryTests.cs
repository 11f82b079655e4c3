using LlmOps.Metering;
using Xunit.Abstractions;

namespace LlmOps.Quality.Metering;

/// <summary>Issue 16: the default ledger's memory stays flat across a million records.</summary>
[Collection(nameof(SerialHeapCollection))]
public sealed class InMemoryCostLedgerMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RecordAsync_OneMillionRecords_MemoryFlatAndTotalsExact()
    {
        var ledger = new InMemoryCostLedger();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        decimal cost = 0;
        long afterWarmUp = 0;
        for (var i = 0; i < 1_000_000; i++)
        {
            // 20 tenants x 5 models, one request every 100 ms (about 28 hours of traffic).
            var record = new CostRecord
            {
                RequestId = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Timestamp = start.AddTicks(i * TimeSpan.TicksPerMillisecond * 100),
                Scope = new LlmOpsScope($"tenant-{i % 20}"),
                Model = $"model-{i % 5}",
                InputTokens = 500,
                OutputTokens = 100,
                Cost = 0.0001m,
            };
            cost += record.Cost;
            await ledger.RecordAsync(record);
            if (i == 199_999)
            {
                afterWarmUp = Heap();
            }
        }

        var atEnd = Heap();
        output.WriteLine($"heap after 200k records: {afterWarmUp / 1024} KB; after 1M: {atEnd / 1024} KB");
        Assert.Equal(10_000, ledger.Count);
        Assert.Equal(1_000_000, (await ledger.GetTotalsAsync(CostLedgerQuery.All)).Attempts);
        Assert.Equal(cost, (await ledger.GetTotalsAsync(CostLedgerQuery.All)).Cost);
        Assert.True(atEnd - afterWarmUp < 2 * 1024 * 1024, $"heap grew {(atEnd - afterWarmUp) / 1024} KB between 200k and 1M records");
        GC.KeepAlive(ledger);
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

/// <summary>Runs heap measurements alone, so other tests' allocations do not show up in them.</summary>
[CollectionDefinition(nameof(SerialHeapCollection), DisableParallelization = true)]
public sealed class SerialHeapCollection;
