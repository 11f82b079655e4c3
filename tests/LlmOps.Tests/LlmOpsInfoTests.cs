using LlmOps.Caching;
using LlmOps.Guardrails;
using LlmOps.Metering;
using LlmOps.Prompts;
using LlmOps.Retrieval;

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

    private const StandardTags PromptTags
        = StandardTags.PromptName | StandardTags.PromptVersion | StandardTags.PromptLabel | StandardTags.PromptExperiment | StandardTags.PromptVariant;

    /// <summary>Records every standard stage's fact and publishes its tags, as the stages do.</summary>
    private static (GuardrailReport Report, CostRecord Cost) RecordStandardFacts(LlmOpsInfo info, bool thin = false)
    {
        var report = info.GetOrAdd(static () => new GuardrailReport());
        info.PublishTags(StandardTags.GuardrailAction);
        info.SetWithTags(new PromptProvenance("support", 3, "hash", "production", "tone", "friendly"), PromptTags);
        info.SetWithTags(new GroundingResult([], 0.9, refused: false, thin, 12, 0), StandardTags.Grounded);
        info.SetWithTags(new SemanticCacheResult { Status = SemanticCacheStatus.Hit, Tier = SemanticCacheTier.Semantic }, StandardTags.CacheStatus | StandardTags.CacheTier);
        var cost = new CostRecord { RequestOf = info, Model = "m", Tier = ModelTier.Medium };
        info.SetWithTags(cost, StandardTags.ModelTier);
        return (report, cost);
    }

    private static readonly KeyValuePair<string, object?>[] ExpectedStandardTags =
    [
        new("llmops.guardrail.action", "allow"),
        new("llmops.prompt.name", "support"),
        new("llmops.prompt.version", 3),
        new("llmops.prompt.label", "production"),
        new("llmops.prompt.experiment", "tone"),
        new("llmops.prompt.variant", "friendly"),
        new("llmops.grounding.grounded", true),
        new("llmops.cache.status", "hit"),
        new("llmops.cache.tier", "semantic"),
        new("llmops.model.tier", "Medium"),
    ];

    [Fact]
    public void Tags_PublishedByTheStandardStages_AreComputedFromTheirFactsInPipelineOrder()
    {
        var info = new LlmOpsInfo();
        RecordStandardFacts(info);

        // Every read path: the view (enumeration, count, look-up), the telemetry copy and the metering read.
        Assert.Equal(ExpectedStandardTags, info.Tags.ToArray());
        Assert.Equal(ExpectedStandardTags.Length, info.Tags.Count);
        foreach (var (name, value) in ExpectedStandardTags)
        {
            Assert.True(info.Tags.TryGetValue(name, out var read), name);
            Assert.Equal(value, read);
            Assert.Equal(value!.GetType(), read!.GetType()); // the version an int, grounded a bool, as stored before
        }

        var copy = new KeyValuePair<string, object?>[ExpectedStandardTags.Length + 1];
        copy[0] = new("first", 0);
        Assert.Equal(copy.Length, info.CopyTagsTo(copy, 1));
        Assert.Equal(ExpectedStandardTags, copy[1..]);
        Assert.Equal(-1, info.CopyTagsTo(copy, 2));

        info.ReadTags("llmops.prompt.name", "llmops.prompt.version", out var promptName, out var promptVersion);
        Assert.Equal(("support", (object?)3), (promptName, promptVersion));
    }

    [Fact]
    public void Tags_ComputedValues_FollowTheFactsAsTheStagesChangeThem()
    {
        var info = new LlmOpsInfo();
        var (report, _) = RecordStandardFacts(info, thin: true);
        Assert.Equal(false, info.Tags["llmops.grounding.grounded"]);
        Assert.Same(info.Tags["llmops.grounding.grounded"], info.Tags["llmops.grounding.grounded"]); // one shared box

        // The guardrail report changes in place (the output scan runs after the input scan published the tag).
        report.Record(GuardrailStage.Output, GuardrailAction.Redact, []);
        Assert.Equal("redact", info.Tags["llmops.guardrail.action"]);

        // A stage that records again (a later attempt, a second cache look-up) publishes from its new fact.
        info.SetWithTags(new SemanticCacheResult { Status = SemanticCacheStatus.Bypassed }, StandardTags.CacheStatus | StandardTags.CacheTier);
        info.SetWithTags(new CostRecord { RequestOf = info, Model = "big", Tier = ModelTier.Large, Attempt = 2 }, StandardTags.ModelTier);
        Assert.Equal("bypass", info.Tags["llmops.cache.status"]);
        Assert.Equal("none", info.Tags["llmops.cache.tier"]);
        Assert.Equal("Large", info.Tags["llmops.model.tier"]);
        Assert.Equal(ExpectedStandardTags.Length, info.Tags.Count);
    }

    [Fact]
    public void Tags_OnlyStandardTags_AllocateNothingToPublishOrCopy()
    {
        var copy = new KeyValuePair<string, object?>[16];
        var warm = new LlmOpsInfo();
        RecordStandardFacts(warm);
        warm.CopyTagsTo(copy, 0);

        var info = new LlmOpsInfo();
        var report = info.GetOrAdd(static () => new GuardrailReport());
        var prompt = new PromptProvenance("support", 3, "hash", "production", "tone", "friendly");
        var grounding = new GroundingResult([], 0.9, refused: false, thin: false, 12, 0);
        var cache = new SemanticCacheResult { Status = SemanticCacheStatus.Hit, Tier = SemanticCacheTier.Semantic };
        var cost = new CostRecord { RequestOf = info, Model = "m", Tier = ModelTier.Medium };

        var before = GC.GetAllocatedBytesForCurrentThread();
        info.PublishTags(StandardTags.GuardrailAction);
        info.SetWithTags(prompt, PromptTags);
        info.SetWithTags(grounding, StandardTags.Grounded);
        info.SetWithTags(cache, StandardTags.CacheStatus | StandardTags.CacheTier);
        info.SetWithTags(cost, StandardTags.ModelTier);
        var written = info.CopyTagsTo(copy, 0);
        info.ReadTags("llmops.prompt.name", "llmops.prompt.version", out _, out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(ExpectedStandardTags, copy[..written]);
        Assert.Same(report, info.Get<GuardrailReport>());
    }

    [Fact]
    public void AddTag_NameOfAComputedTag_ReplacesItUntilTheStageRecordsAgain()
    {
        var info = new LlmOpsInfo();
        RecordStandardFacts(info);

        info.AddTag("llmops.cache.status", "custom");
        info.AddTag("llmops.prompt.version", "v3");

        Assert.Equal("custom", info.Tags["llmops.cache.status"]);
        Assert.Equal("v3", info.Tags["llmops.prompt.version"]);
        Assert.Equal(ExpectedStandardTags.Length, info.Tags.Count);
        var names = info.Tags.Select(static t => t.Key).ToList();
        Assert.Equal(names.Distinct().Count(), names.Count); // never both the computed and the added tag
        var copy = new KeyValuePair<string, object?>[16];
        var written = info.CopyTagsTo(copy, 0);
        Assert.Equal(ExpectedStandardTags.Length, written);
        Assert.Single(copy[..written], static t => t.Key == "llmops.cache.status");
        Assert.Contains(new KeyValuePair<string, object?>("llmops.cache.status", "custom"), copy[..written]);
        info.ReadTags("llmops.prompt.name", "llmops.prompt.version", out var promptName, out var promptVersion);
        Assert.Equal(("support", (object?)"v3"), (promptName, promptVersion));

        // The later write wins, as when both were stored: the cache recording again replaces the added tag.
        info.SetWithTags(new SemanticCacheResult { Status = SemanticCacheStatus.Miss }, StandardTags.CacheStatus | StandardTags.CacheTier);
        Assert.Equal("miss", info.Tags["llmops.cache.status"]);
        Assert.Equal(ExpectedStandardTags.Length, info.Tags.Count);
    }

    [Fact]
    public void AddTag_BeforeTheStagePublishes_IsReplacedByTheStagesValue()
    {
        var info = new LlmOpsInfo();
        info.AddTag("llmops.model.tier", "Custom");
        info.AddTag("app.tag", 1);

        info.SetWithTags(new CostRecord { RequestOf = info, Model = "m", Tier = ModelTier.Small }, StandardTags.ModelTier);

        Assert.Equal("Small", info.Tags["llmops.model.tier"]);
        Assert.Equal(2, info.Tags.Count);
        Assert.Equal(1, info.Tags["app.tag"]);
        Assert.Equal(["llmops.model.tier", "app.tag"], info.Tags.Select(static t => t.Key));
    }

    [Fact]
    public void Set_ReplacingAFactWhoseTagsArePublished_KeepsTheTagValues()
    {
        var info = new LlmOpsInfo();
        RecordStandardFacts(info);

        // Only the stage updates its tags: a fact replaced through the public Set (metering's record of an attempt on an
        // unpriced model, with no tier) leaves the tag as it was.
        info.Set(new CostRecord { RequestOf = info, Model = "unpriced", Attempt = 2 });
        info.Set(new SemanticCacheResult { Status = SemanticCacheStatus.Miss });
        Assert.Equal("Medium", info.Tags["llmops.model.tier"]);
        Assert.Equal("hit", info.Tags["llmops.cache.status"]);
        Assert.Equal(ExpectedStandardTags.Length, info.Tags.Count);
        Assert.True(info.Get<CostRecord>()!.Tier.IsEmpty);

        // A prompt stage that records a provenance without a label or variant leaves the earlier label and variant tags.
        info.SetWithTags(new PromptProvenance("other", 7, "hash2", null, null, null), StandardTags.PromptName | StandardTags.PromptVersion);
        Assert.Equal("other", info.Tags["llmops.prompt.name"]);
        Assert.Equal(7, info.Tags["llmops.prompt.version"]);
        Assert.Equal("production", info.Tags["llmops.prompt.label"]);
        Assert.Equal("friendly", info.Tags["llmops.prompt.variant"]);
        Assert.Equal(ExpectedStandardTags.Length, info.Tags.Count);

        // A fact set with no tags published adds none.
        var fresh = new LlmOpsInfo();
        fresh.Set(new SemanticCacheResult { Status = SemanticCacheStatus.Hit });
        Assert.Empty(fresh.Tags);
    }

    [Fact]
    public void ReplaceShared_SwapsTheSharedFactOnce_AndKeepsTheComputedTag()
    {
        var info = new LlmOpsInfo();
        var shared = info.GetOrAdd(static () => GuardrailReport.Empty);
        info.PublishTags(StandardTags.GuardrailAction);

        var own = info.ReplaceShared(shared, new GuardrailReport());
        var again = info.ReplaceShared(shared, new GuardrailReport());
        own.Record(GuardrailStage.Input, GuardrailAction.Flag, []);

        Assert.NotSame(shared, own);
        Assert.Same(own, again);
        Assert.Same(own, info.Get<GuardrailReport>());
        Assert.Equal("flag", info.Tags["llmops.guardrail.action"]);
        Assert.Equal(GuardrailAction.Allow, GuardrailReport.Empty.Action);
        Assert.Empty(GuardrailReport.Empty.Findings);
        Assert.Throws<InvalidOperationException>(() => GuardrailReport.Empty.Record(GuardrailStage.Input, GuardrailAction.Flag, []));
    }

    [Fact]
    public async Task Tags_ReadWhileStagesPublishAndAddTheSameNames_NeverShowBothOrMiscount()
    {
        var info = new LlmOpsInfo();
        info.AddTag("app.tag", 0);
        info.SetWithTags(new SemanticCacheResult { Status = SemanticCacheStatus.Hit }, StandardTags.CacheStatus | StandardTags.CacheTier);
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                if (i % 2 == 0)
                {
                    info.SetWithTags(new SemanticCacheResult { Status = SemanticCacheStatus.Hit }, StandardTags.CacheStatus | StandardTags.CacheTier);
                }
                else
                {
                    info.AddTag("llmops.cache.status", "custom");
                }
            }
        });

        var copy = new KeyValuePair<string, object?>[8];
        while (!writer.IsCompleted)
        {
            var snapshot = info.Tags.ToArray();
            Assert.Equal(3, snapshot.Length);
            Assert.Equal(3, snapshot.Select(static t => t.Key).Distinct().Count());
            Assert.Equal(3, info.CopyTagsTo(copy, 0));
            Assert.True(info.Tags.TryGetValue("llmops.cache.status", out var status));
            Assert.Contains(status, new object[] { "hit", "custom" });
        }

        await writer;
        Assert.Equal("custom", info.Tags["llmops.cache.status"]);
    }

    [Fact]
    public void Tags_ManyThreadsAddingAndPublishing_LoseNoTagAndNoPublishedBit()
    {
        // The spin lock and the published tags share 16 bits: no writer may lose another's bit or entry.
        const int Threads = 10, PerThread = 200;
        var info = new LlmOpsInfo();
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            for (var k = 0; k < PerThread; k++)
            {
                info.AddTag($"t{t}.{k}", k);
                if (k == PerThread / 2)
                {
                    info.PublishTags((StandardTags)(1 << t));
                }
            }
        });

        Assert.Equal((Threads * PerThread) + Threads, info.Tags.Count);
        Assert.Equal(Threads, info.Tags.Count(static t => t.Key.StartsWith("llmops.", StringComparison.Ordinal)));
        Assert.Equal(PerThread - 1, info.Tags[$"t{Threads - 1}.{PerThread - 1}"]);
    }

    [Fact]
    public void Constructor_GivenId_AllocatesOneObjectOf104BytesAtMost()
    {
        // Issue 16 counts every byte of a request: the info's small fields share 8 bytes (lock, published tags, entry
        // count, metered attempts), so it is 104 B on a 64-bit runtime.
        _ = new LlmOpsInfo("warm");
        var before = GC.GetAllocatedBytesForCurrentThread();
        var info = new LlmOpsInfo("req-1");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("req-1", info.RequestId);
        Assert.True(allocated <= (Environment.Is64BitProcess ? 104 : 64), $"LlmOpsInfo allocated {allocated} B");
    }
}
