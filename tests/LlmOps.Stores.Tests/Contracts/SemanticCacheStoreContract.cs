using LlmOps.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Stores.Tests.Contracts;

/// <summary>What every <see cref="ISemanticCacheStore"/> must do, written once and run against each store (in memory, Redis).</summary>
public abstract class SemanticCacheStoreContract
{
    public static readonly DateTimeOffset Start = new(2026, 3, 14, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Creates a store with state of its own on <paramref name="time"/>.</summary>
    protected abstract ISemanticCacheStore CreateStore(TimeProvider time);

    /// <summary>Creates a second instance's store over the same state (another process would).</summary>
    protected abstract ISemanticCacheStore CreatePeer(ISemanticCacheStore store, TimeProvider time);

    /// <summary>Waits until <paramref name="store"/> has seen every write made so far by any instance.</summary>
    protected virtual Task CatchUpAsync(ISemanticCacheStore store) => Task.CompletedTask;

    public static SemanticCacheEntry Entry(string text, float[]? vector, string partition = "p1", string scope = "acme", DateTimeOffset? expires = null, string? model = "gpt-test", ChatRole? role = null)
    {
        var response = new ChatResponse(new ChatMessage(role ?? ChatRole.Assistant, text)) { ModelId = model, FinishReason = ChatFinishReason.Stop, Usage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 5 } };
        return new SemanticCacheEntry
        {
            Key = SemanticCacheKey.FromString("key:" + partition + ":" + text),
            Partition = SemanticCacheKey.FromString("partition:" + partition),
            Response = response,
            Updates = [new ChatResponseUpdate(ChatRole.Assistant, text[..Math.Min(3, text.Length)]), new ChatResponseUpdate(null, text[Math.Min(3, text.Length)..]) { FinishReason = ChatFinishReason.Stop }],
            Embedding = vector is null ? null : Normalize(vector),
            Fingerprint = SemanticCacheFingerprint.Create(text),
            CreatedAt = Start,
            ExpiresAt = expires,
            ScopeHash = SemanticCacheKey.FromString("scope:" + scope),
            TenantHash = SemanticCacheKey.FromString("tenant:" + scope),
            ModelId = model,
            PromptName = "faq",
            PromptVersion = "3",
        };
    }

    public static float[] Normalize(float[] v)
    {
        var n = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / n).ToArray();
    }

    [Fact]
    public async Task SetThenGet_RoundTripsEveryField()
    {
        var store = CreateStore(new FakeTimeProvider(Start));
        var entry = Entry("The capital of France is Paris.", [1, 2, 3, 4], expires: Start.AddHours(1));

        await store.SetAsync(entry);
        var got = await store.GetAsync(entry.Key);

        Assert.NotNull(got);
        Assert.Equal(entry.Key, got.Key);
        Assert.Equal(entry.Partition, got.Partition);
        Assert.Equal(entry.ScopeHash, got.ScopeHash);
        Assert.Equal(entry.TenantHash, got.TenantHash);
        Assert.Equal("The capital of France is Paris.", got.Response.Text);
        Assert.Equal(ChatFinishReason.Stop, got.Response.FinishReason);
        Assert.Equal(5, got.Response.Usage!.OutputTokenCount);
        Assert.Equal(["The", " capital of France is Paris."], got.Updates!.Select(u => u.Text));
        Assert.Equal(entry.Embedding!.Value.ToArray(), got.Embedding!.Value.ToArray());
        Assert.Equal(entry.Fingerprint!.Words, got.Fingerprint!.Words);
        Assert.Equal(entry.Fingerprint.Polarity, got.Fingerprint.Polarity);
        Assert.Equal(entry.Fingerprint.Sequence, got.Fingerprint.Sequence); // the pair check needs the word sequence back
        Assert.Equal(entry.Fingerprint.Sketches, got.Fingerprint.Sketches);
        Assert.Equal(entry.CreatedAt, got.CreatedAt);
        Assert.Equal(entry.ExpiresAt, got.ExpiresAt);
        Assert.Equal(("gpt-test", "faq", "3"), (got.ModelId, got.PromptName, got.PromptVersion));
    }

    [Fact]
    public async Task Get_UnknownOrExpired_IsAbsent()
    {
        var time = new FakeTimeProvider(Start);
        var store = CreateStore(time);
        var entry = Entry("short lived", [1, 0, 0], expires: Start.AddMinutes(5));
        await store.SetAsync(entry);

        Assert.Null(await store.GetAsync(SemanticCacheKey.FromString("nothing")));
        Assert.NotNull(await store.GetAsync(entry.Key));
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(await store.GetAsync(entry.Key));
        Assert.Empty(await store.FindCandidatesAsync(entry.Partition, entry.Embedding!.Value, 4, -1));
    }

    [Fact]
    public async Task FindCandidates_NearestFirst_OnlyInsideThePartition()
    {
        var store = CreateStore(new FakeTimeProvider(Start));
        var near = Entry("near", [1, 0.1f, 0]);
        var far = Entry("far", [1, 1, 0]);
        var otherScope = Entry("other scope, identical vector", [1, 0, 0], partition: "p2", scope: "globex");
        await store.SetAsync(far);
        await store.SetAsync(near);
        await store.SetAsync(otherScope);
        float[] query = [1, 0, 0];

        var found = await store.FindCandidatesAsync(near.Partition, query, 4, 0.5f);

        Assert.Equal(["near", "far"], found.Select(m => m.Entry.Response.Text));
        Assert.True(found[0].Similarity > found[1].Similarity);
        Assert.Equal("near", (await store.FindNearestAsync(near.Partition, query))!.Value.Entry.Response.Text);
        Assert.Equal(["other scope, identical vector"], (await store.FindCandidatesAsync(otherScope.Partition, query, 4, 0.5f)).Select(m => m.Entry.Response.Text));
        Assert.Empty(await store.FindCandidatesAsync(SemanticCacheKey.FromString("partition:none"), query, 4, -1));
    }

    [Fact]
    public async Task Set_SameKey_ReplacesTheEntry()
    {
        var store = CreateStore(new FakeTimeProvider(Start));
        var first = Entry("same question", [0, 1, 0]);
        await store.SetAsync(first);
        var second = new SemanticCacheEntry
        {
            Key = first.Key, Partition = first.Partition, Response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "new answer")),
            Embedding = first.Embedding, CreatedAt = Start.AddMinutes(1), ScopeHash = first.ScopeHash, TenantHash = first.TenantHash,
        };

        await store.SetAsync(second);

        Assert.Equal("new answer", (await store.GetAsync(first.Key))!.Response.Text);
        Assert.Equal(["new answer"], (await store.FindCandidatesAsync(first.Partition, first.Embedding!.Value, 4, -1)).Select(m => m.Entry.Response.Text));
    }

    [Fact]
    public async Task Invalidate_ByKeyAndByModel_RemovesFromBothTiers()
    {
        var store = CreateStore(new FakeTimeProvider(Start));
        var a = Entry("alpha", [1, 0, 0], model: "m1");
        var b = Entry("beta", [0, 1, 0], model: "m2");
        var c = Entry("gamma", [0, 0, 1], model: "m2", partition: "p2");
        foreach (var e in new[] { a, b, c })
        {
            await store.SetAsync(e);
        }

        Assert.Equal(1, await store.InvalidateAsync(SemanticCacheInvalidation.ForKey(a.Key)));
        Assert.Equal(0, await store.InvalidateAsync(SemanticCacheInvalidation.ForKey(a.Key)));
        Assert.Null(await store.GetAsync(a.Key));
        Assert.Equal(["beta"], (await store.FindCandidatesAsync(a.Partition, new float[] { 1, 0, 0 }, 4, -1)).Select(m => m.Entry.Response.Text));

        Assert.Equal(2, await store.InvalidateAsync(SemanticCacheInvalidation.ForModel("m2")));
        Assert.Null(await store.GetAsync(b.Key));
        Assert.Null(await store.GetAsync(c.Key));
        Assert.Empty(await store.FindCandidatesAsync(c.Partition, new float[] { 0, 0, 1 }, 4, -1));
    }

    [Fact]
    public async Task Peer_ServesWhatAnotherInstanceWrote_InTheSameScopeOnly()
    {
        var time = new FakeTimeProvider(Start);
        var writer = CreateStore(time);
        var reader = CreatePeer(writer, time);
        var entry = Entry("written by A", [0.2f, 0.9f, 0.1f]);
        Assert.Empty(await reader.FindCandidatesAsync(entry.Partition, entry.Embedding!.Value, 4, -1)); // the reader's mirror is warm (and empty)

        await writer.SetAsync(entry);
        await CatchUpAsync(reader);

        Assert.Equal("written by A", (await reader.GetAsync(entry.Key))!.Response.Text);
        Assert.Equal("written by A", Assert.Single(await reader.FindCandidatesAsync(entry.Partition, entry.Embedding!.Value, 4, 0.9f)).Entry.Response.Text);
        Assert.Empty(await reader.FindCandidatesAsync(SemanticCacheKey.FromString("partition:another-scope"), entry.Embedding!.Value, 4, -1));

        await writer.InvalidateAsync(SemanticCacheInvalidation.ForKey(entry.Key));
        await CatchUpAsync(reader);
        Assert.Empty(await reader.FindCandidatesAsync(entry.Partition, entry.Embedding!.Value, 4, -1));
    }
}
