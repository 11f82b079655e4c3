using LlmOps.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Tests.Caching;

/// <summary>Issue 13: invalidation is a description of fields (a server-side store can run it), not a predicate.</summary>
public sealed class SemanticCacheInvalidationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static SemanticCacheEntry Entry(int key, string tenant, string user, string model, string? prompt, string? version, int ageHours) => new()
    {
        Key = new SemanticCacheKey((UInt128)key),
        Partition = new SemanticCacheKey(7),
        Response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "a")) { FinishReason = ChatFinishReason.Stop },
        CreatedAt = T0.AddHours(-ageHours),
        ScopeHash = SemanticCacheInvalidation.ScopeHashOf(new LlmOpsScope(tenant, user)),
        TenantHash = SemanticCacheInvalidation.TenantHashOf(tenant),
        ModelId = model,
        PromptName = prompt,
        PromptVersion = version,
    };

    private static readonly SemanticCacheEntry[] Entries =
    [
        Entry(1, "acme", "alice", "gpt-4o", "support", "1", ageHours: 30),
        Entry(2, "acme", "bob", "gpt-4o-mini", "support", "2", ageHours: 2),
        Entry(3, "contoso", "alice", "gpt-4o", null, null, ageHours: 50),
        Entry(4, "contoso", "carol", "gpt-4o-mini", "sales", "1", ageHours: 1),
    ];

    public static TheoryData<string, int[]> Selections() => new()
    {
        { "all", [1, 2, 3, 4] },
        { "scope acme/alice", [1] },
        { "tenant acme", [1, 2] },
        { "model gpt-4o", [1, 3] },
        { "prompt support", [1, 2] },
        { "prompt support@2", [2] },
        { "older than 24h", [1, 3] },
        { "key 3", [3] },
        { "tenant acme + model gpt-4o-mini", [2] },
        { "tenant contoso + older than 24h", [3] },
        { "prompt support + older than 24h", [1] },
    };

    private static SemanticCacheInvalidation Parse(string kind) => kind switch
    {
        "all" => SemanticCacheInvalidation.All(),
        "scope acme/alice" => SemanticCacheInvalidation.ForScope(new LlmOpsScope("acme", "alice")),
        "tenant acme" => SemanticCacheInvalidation.ForTenant("acme"),
        "model gpt-4o" => SemanticCacheInvalidation.ForModel("gpt-4o"),
        "prompt support" => SemanticCacheInvalidation.ForPrompt("support"),
        "prompt support@2" => SemanticCacheInvalidation.ForPrompt("support", "2"),
        "older than 24h" => SemanticCacheInvalidation.OlderThan(T0.AddHours(-24)),
        "key 3" => SemanticCacheInvalidation.ForKey(new SemanticCacheKey(3)),
        "tenant acme + model gpt-4o-mini" => SemanticCacheInvalidation.ForTenant("acme") with { ModelId = "gpt-4o-mini" },
        "tenant contoso + older than 24h" => SemanticCacheInvalidation.ForTenant("contoso") with { CreatedBefore = T0.AddHours(-24) },
        _ => SemanticCacheInvalidation.ForPrompt("support") with { CreatedBefore = T0.AddHours(-24) },
    };

    [Theory]
    [MemberData(nameof(Selections))]
    public void Matches_Description_SelectsExactlyTheEntriesItsFieldsDescribe(string kind, int[] expected)
    {
        var selection = Parse(kind);

        var selected = Entries.Where(selection.Matches).Select(e => (int)e.Key.Value).ToArray();

        Assert.Equal(expected, selected);
    }

    [Theory]
    [MemberData(nameof(Selections))]
    public async Task InvalidateAsync_InMemoryStore_RemovesWhatTheDescriptionSelects(string kind, int[] expected)
    {
        var store = new InMemorySemanticCacheStore(timeProvider: new FakeTimeProvider(T0));
        foreach (var entry in Entries)
        {
            await store.SetAsync(entry);
        }

        var removed = await store.InvalidateAsync(Parse(kind));

        Assert.Equal(expected.Length, removed);
        foreach (var entry in Entries)
        {
            var present = await store.GetAsync(entry.Key) is not null;
            Assert.Equal(!expected.Contains((int)entry.Key.Value), present);
        }
    }

    [Fact]
    public void Description_NamesEveryCondition()
    {
        var selection = SemanticCacheInvalidation.ForPrompt("support", "3") with { ModelId = "gpt-4o", CreatedBefore = T0 };

        Assert.Equal("model gpt-4o, prompt support, version 3, created before 2026-12-01T00:00:00.0000000+00:00", selection.Description);
        Assert.Equal("all", SemanticCacheInvalidation.All().ToString());
    }

    [Fact]
    public void Factories_BadArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => SemanticCacheInvalidation.ForTenant(""));
        Assert.Throws<ArgumentException>(() => SemanticCacheInvalidation.ForModel(""));
        Assert.Throws<ArgumentNullException>(() => SemanticCacheInvalidation.ForPrompt(null!));
        Assert.Equal("version", Assert.Throws<ArgumentException>(() => SemanticCacheInvalidation.ForPrompt("p", "")).ParamName);
        Assert.Throws<ArgumentNullException>(() => SemanticCacheInvalidation.All().Matches(null!));
    }
}
