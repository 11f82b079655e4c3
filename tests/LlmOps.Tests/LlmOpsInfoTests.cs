namespace LlmOps.Tests;

public sealed class LlmOpsInfoTests
{
    private sealed record Sample(int Value);

    [Fact]
    public void SetAndGet_TypedFeature_RoundTrips()
    {
        var info = new LlmOpsInfo();
        Assert.Null(info.Get<Sample>());

        info.Set(new Sample(3));

        Assert.Equal(3, info.Get<Sample>()!.Value);
        Assert.True(info.TryGet<Sample>(out var s));
        Assert.Equal(3, s.Value);
    }

    [Fact]
    public void GetOrAdd_ConcurrentCallers_ShareOneInstance()
    {
        var info = new LlmOpsInfo();
        var seen = new Sample[64];
        Parallel.For(0, seen.Length, i => seen[i] = info.GetOrAdd(() => new Sample(i)));
        Assert.All(seen, s => Assert.Same(seen[0], s));
    }

    [Fact]
    public void SetAndGet_StandardStageFacts_RoundTripAndAppearAmongTheFeatures()
    {
        var info = new LlmOpsInfo();
        var report = new LlmOps.Guardrails.GuardrailReport();
        var cost = new LlmOps.Metering.CostRecord { RequestOf = info, Cost = 1m };
        Assert.Null(info.Get<LlmOps.Guardrails.GuardrailReport>());

        info.Set(report);
        info.Set(cost);
        info.Set(new Sample(1));

        Assert.Same(report, info.Get<LlmOps.Guardrails.GuardrailReport>());
        Assert.Same(cost, info.Get<LlmOps.Metering.CostRecord>());
        Assert.True(info.TryGet<LlmOps.Metering.CostRecord>(out var read));
        Assert.Same(cost, read);
        Assert.Null(info.Get<LlmOps.Routing.RoutingInfo>());
        Assert.Equal(3, info.Features.Count());
        Assert.Contains(report, info.Features);
        Assert.Contains(cost, info.Features);

        var replaced = cost with { Cost = 2m };
        info.Set(replaced);
        Assert.Same(replaced, info.Get<LlmOps.Metering.CostRecord>());
        Assert.Equal(3, info.Features.Count());
    }

    [Fact]
    public void GetOrAdd_StandardStageFact_ConcurrentCallersShareOneInstance()
    {
        var info = new LlmOpsInfo();
        var seen = new LlmOps.Guardrails.GuardrailReport[64];
        Parallel.For(0, seen.Length, i => seen[i] = info.GetOrAdd(static () => new LlmOps.Guardrails.GuardrailReport()));
        Assert.All(seen, s => Assert.Same(seen[0], s));
        Assert.Same(seen[0], info.Get<LlmOps.Guardrails.GuardrailReport>());
    }

    [Fact]
    public void TryParseGeneratedId_ReadsBackThisProcessesIdsOnly()
    {
        var info = new LlmOpsInfo();
        Assert.True(LlmOpsInfo.TryParseGeneratedId(info.RequestId, out var sequence));
        Assert.Equal(info.GeneratedSequence, sequence);
        Assert.Equal(info.RequestId, LlmOpsInfo.FormatGeneratedId(sequence));

        var upper = info.RequestId.ToUpperInvariant();
        Assert.Equal(!string.Equals(upper, info.RequestId, StringComparison.Ordinal), !LlmOpsInfo.TryParseGeneratedId(upper, out _));
        Assert.False(LlmOpsInfo.TryParseGeneratedId("x" + info.RequestId[1..], out _));
        Assert.False(LlmOpsInfo.TryParseGeneratedId(Guid.NewGuid().ToString("N"), out _));
        Assert.False(LlmOpsInfo.TryParseGeneratedId("req-7", out _));
        Assert.Equal(0UL, new LlmOpsInfo("req-7").GeneratedSequence);
    }

    [Fact]
    public void RequestId_IsGeneratedAndUnique()
        => Assert.NotEqual(new LlmOpsInfo().RequestId, new LlmOpsInfo().RequestId);

    [Fact]
    public void RequestId_Generated_Is32LowercaseHexDigitsWithOneProcessPrefixAndAnIncreasingSequence()
    {
        var first = new LlmOpsInfo().RequestId;
        var second = new LlmOpsInfo().RequestId;

        Assert.Matches("^[0-9a-f]{32}$", first);
        Assert.Matches("^[0-9a-f]{32}$", second);
        Assert.Equal(first[..16], second[..16]);
        Assert.True(ulong.Parse(second[16..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture)
            > ulong.Parse(first[16..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RequestId_GeneratedOnManyThreads_AreUniqueAndIncreaseOnEachThread()
    {
        // Threads draw sequence numbers in blocks: more ids per thread than one block holds, on more threads than cores.
        const int Threads = 8, PerThread = 3_000;
        var ids = new ulong[Threads][];
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            var mine = new ulong[PerThread];
            for (var i = 0; i < PerThread; i++)
            {
                mine[i] = new LlmOpsInfo().GeneratedSequence;
            }

            ids[t] = mine;
        });

        Assert.All(ids, mine => Assert.True(mine.Zip(mine.Skip(1)).All(p => p.Second > p.First), "ids of one thread must increase"));
        var all = ids.SelectMany(static x => x).ToList();
        Assert.DoesNotContain(0UL, all);
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void RequestId_ReadTwiceOrConcurrently_IsTheSameInstance()
    {
        var info = new LlmOpsInfo();
        var ids = new string[8];
        Parallel.For(0, ids.Length, i => ids[i] = info.RequestId);

        Assert.All(ids, id => Assert.Same(ids[0], id));
        Assert.Same(ids[0], info.RequestId);
    }

    [Fact]
    public void RequestId_Given_IsKept()
        => Assert.Equal("req-7", new LlmOpsInfo("req-7").RequestId);

    [Fact]
    public void AddTag_EmptyName_Throws()
        => Assert.Throws<ArgumentException>("name", () => new LlmOpsInfo().AddTag("", 1));

    [Fact]
    public async Task Tags_EnumeratedWhileStagesAddTags_GivesConsistentSnapshots()
    {
        var info = new LlmOpsInfo();
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                info.AddTag($"tag.{i % 64}", i);
            }
        });

        while (!writer.IsCompleted)
        {
            foreach (var pair in info.Tags)
            {
                Assert.StartsWith("tag.", pair.Key, StringComparison.Ordinal);
            }
        }

        await writer;
        Assert.Equal(64, info.Tags.Count);
        Assert.Equal(4_999, info.Tags["tag.7"]); // the last write to tag.7: 78 * 64 + 7
    }

    [Fact]
    public void Tags_UnknownKey_ThrowsNamingTheTag()
    {
        var info = new LlmOpsInfo();
        info.AddTag("llmops.cache.status", "hit");

        Assert.True(info.Tags.TryGetValue("llmops.cache.status", out var status));
        Assert.Equal("hit", status);
        var error = Assert.Throws<KeyNotFoundException>(() => info.Tags["llmops.route"]);
        Assert.Contains("llmops.route", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Set_SameFeatureTypeTwice_ReplacesIt()
    {
        var info = new LlmOpsInfo();
        info.Set(new Version(1, 0));
        info.Set(new Version(2, 0));

        Assert.Equal(new Version(2, 0), info.Get<Version>());
        Assert.Single(info.Features);
    }

    [Fact]
    public void AddTag_MoreEntriesThanEarlierRequestsRecorded_KeepsEveryEntry()
    {
        // New infos start at the size earlier requests needed; a request that needs more must grow, not drop entries.
        for (var size = 1; size <= 40; size += 13)
        {
            var info = new LlmOpsInfo();
            info.Set(new Sample(size));
            for (var i = 0; i < size; i++)
            {
                info.AddTag($"tag.{i}", i);
            }

            Assert.Equal(size, info.Get<Sample>()!.Value);
            Assert.Equal(size, info.Tags.Count);
            for (var i = 0; i < size; i++)
            {
                Assert.Equal(i, info.Tags[$"tag.{i}"]);
            }

            Assert.Single(info.Features);
        }
    }
}
