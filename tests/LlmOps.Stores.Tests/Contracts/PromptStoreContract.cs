using LlmOps.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Stores.Tests.Contracts;

/// <summary>
/// The behaviour every <see cref="IPromptStore"/> promises, written once and run against each store. A store that cannot
/// honour a point overrides that test, marks it skipped with the reason in the attribute, and says so in its docs.
/// </summary>
public abstract class PromptStoreContract
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 30, 0, TimeSpan.Zero);

    /// <summary>Creates an empty store.</summary>
    protected abstract Task<IPromptStore> CreateStoreAsync();

    /// <summary>Creates a second store over the same data (another instance: another connection, another object).</summary>
    protected abstract Task<IPromptStore> CreatePeerAsync(IPromptStore store);

    [Fact]
    public virtual async Task LoadAsync_UnknownPrompt_ReturnsNull()
    {
        var store = await CreateStoreAsync();

        Assert.Null(await store.LoadAsync("nobody"));
    }

    [Fact]
    public virtual async Task ListNamesAsync_EmptyStore_ReturnsNoNames()
    {
        var store = await CreateStoreAsync();

        Assert.Empty(await store.ListNamesAsync());
    }

    [Fact]
    public virtual async Task ListNamesAsync_ReturnsEachPromptOnceInOrdinalOrder_AlsoToAPeer()
    {
        var store = await CreateStoreAsync();
        var registry = Registry(store);
        foreach (var name in new[] { "zeta", "alpha.two", "Alpha", "alpha-one" })
        {
            await registry.RegisterAsync(Draft(name, "one"));
        }

        await registry.RegisterAsync(Draft("zeta", "two"));
        await registry.SetLabelAsync("zeta", "production", 2);

        string[] expected = ["Alpha", "alpha-one", "alpha.two", "zeta"]; // ordinal: upper case first, '-' (0x2D) before '.' (0x2E)
        Assert.Equal(expected, await store.ListNamesAsync());
        Assert.Equal(expected, await (await CreatePeerAsync(store)).ListNamesAsync());
    }

    [Fact]
    public virtual async Task ListNamesAsync_CancelledToken_Throws()
    {
        var store = await CreateStoreAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ListNamesAsync(cancelled.Token).AsTask());
    }

    [Fact]
    public virtual async Task AddVersionAsync_ThenLoad_RoundTripsContentHashAndMetadata()
    {
        var store = await CreateStoreAsync();
        var registry = Registry(store);
        var draft = new PromptTemplate(
            "support.answer",
            [new PromptMessageTemplate(ChatRole.System, "You help {{customer}} — ünïcödé, \"quotes\", {json: 1}"), new PromptMessageTemplate(ChatRole.User, "{{question}}\nline two")],
            [new PromptVariable("customer", Required: false, Default: "friend"), new PromptVariable("question")],
            new PromptModelSettings { ModelId = "gpt-4o-mini", Temperature = 0.35f, MaxOutputTokens = 300, ResponseFormat = "json" },
            new PromptMetadata { Author = "ana", Description = "answers", Tags = ["a", "b"] });

        var registered = await registry.RegisterAsync(draft);
        var loaded = (await (await CreatePeerAsync(store)).LoadAsync("support.answer"))!.FindVersion(1)!;

        Assert.Equal(1, registered.Version);
        Assert.Equal(draft.ContentHash, loaded.ContentHash);
        Assert.True(loaded.IsIntact);
        Assert.Equal(draft.Messages, loaded.Messages);
        Assert.Equal(draft.Variables, loaded.Variables);
        Assert.Equal(draft.Settings, loaded.Settings);
        Assert.Equal("ana", loaded.Metadata.Author);
        Assert.Equal(["a", "b"], loaded.Metadata.Tags);
        Assert.Equal(
            draft.RenderContents(new Dictionary<string, object?> { ["question"] = "why?" }),
            loaded.RenderContents(new Dictionary<string, object?> { ["question"] = "why?" }));
    }

    [Fact]
    public virtual async Task RegisterAsync_SameContentTwice_KeepsOneVersion()
    {
        var store = await CreateStoreAsync();
        var registry = Registry(store);

        var first = await registry.RegisterAsync(Draft("p", "hello"));
        var again = await Registry(await CreatePeerAsync(store)).RegisterAsync(Draft("p", "hello"));
        var second = await registry.RegisterAsync(Draft("p", "hello, again"));

        Assert.Equal(1, first.Version);
        Assert.Equal(1, again.Version);
        Assert.Equal(2, second.Version);
        Assert.Equal([1, 2], (await store.LoadAsync("p"))!.Versions.Select(v => v.Version));
    }

    [Fact]
    public virtual async Task AddVersionAsync_ExistingNumber_ThrowsAndKeepsTheStoredVersion()
    {
        var store = await CreateStoreAsync();
        var registry = Registry(store);
        var v1 = await registry.RegisterAsync(Draft("p", "one"));
        var other = await Registry(await CreateStoreAsync()).RegisterAsync(Draft("p", "different content"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AddVersionAsync(other).AsTask());
        var record = (await store.LoadAsync("p"))!;

        Assert.Single(record.Versions);
        Assert.Equal(v1.ContentHash, record.Versions[0].ContentHash);
    }

    [Fact]
    public virtual async Task SetLabelAsync_MovesAndRollsBack_WithFullHistory()
    {
        var store = await CreateStoreAsync();
        var time = new FakeTimeProvider(Start);
        var registry = Registry(store, time);
        await registry.RegisterAsync(Draft("p", "one"));
        await registry.RegisterAsync(Draft("p", "two"));

        await registry.SetLabelAsync("p", "production", 1, "ana");
        time.Advance(TimeSpan.FromMinutes(5));
        await registry.SetLabelAsync("p", "production", 2, "bo");
        time.Advance(TimeSpan.FromMinutes(5));
        await registry.RollbackAsync("p", "production", "cy");
        var peer = Registry(await CreatePeerAsync(store));

        Assert.Equal(1, await peer.GetLabelAsync("p", "production"));
        Assert.Equal(
            [
                new PromptLabelMove("p", "production", null, 1, "ana", Start),
                new PromptLabelMove("p", "production", 1, 2, "bo", Start.AddMinutes(5)),
                new PromptLabelMove("p", "production", 2, 1, "cy", Start.AddMinutes(10)),
            ],
            await peer.GetLabelHistoryAsync("p"));
    }

    [Fact]
    public virtual async Task MoveLabelAsync_StaleExpectedVersion_ThrowsConflictAndWritesNothing()
    {
        var store = await CreateStoreAsync();
        var registry = Registry(store);
        await registry.RegisterAsync(Draft("p", "one"));
        await registry.RegisterAsync(Draft("p", "two"));
        await registry.SetLabelAsync("p", "production", 2);

        var stale = new PromptLabelMove("p", "production", 1, 1, "late", Start);
        var error = await Assert.ThrowsAsync<PromptLabelConflictException>(() => store.MoveLabelAsync(stale).AsTask());
        var absent = await Assert.ThrowsAsync<PromptLabelConflictException>(() => store.MoveLabelAsync(new PromptLabelMove("p", "production", null, 1, "late", Start)).AsTask());
        var record = (await store.LoadAsync("p"))!;

        Assert.Equal(2, error.ActualVersion);
        Assert.Contains("production", error.Message, StringComparison.Ordinal);
        Assert.Same(stale, error.Move);
        Assert.Equal(2, absent.ActualVersion);
        Assert.Equal(2, record.Labels["production"]);
        Assert.Single(record.LabelHistory);
    }

    [Fact]
    public virtual async Task MoveLabelAsync_ConcurrentPromotesFromTwoInstances_ExactlyOneWins()
    {
        var store = await CreateStoreAsync();
        var peer = await CreatePeerAsync(store);
        var registry = Registry(store);
        for (var i = 1; i <= 4; i++) await registry.RegisterAsync(Draft("p", $"v{i}"));
        await registry.SetLabelAsync("p", "production", 1);

        for (var round = 0; round < 10; round++)
        {
            var current = (await store.LoadAsync("p"))!.Labels["production"];
            using var go = new ManualResetEventSlim();
            var movers = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
            {
                go.Wait();
                var target = 1 + ((current + (i % 3)) % 4); // never the current version: a no-op move is not a promotion
                await (i % 2 == 0 ? store : peer).MoveLabelAsync(new PromptLabelMove("p", "production", current, target, $"mover {i}", Start));
                return target;
            })).ToArray();
            go.Set();
            var outcomes = await Task.WhenAll(movers.Select(async m =>
            {
                try
                {
                    return (Won: true, Target: await m, Error: (Exception?)null);
                }
                catch (PromptLabelConflictException ex)
                {
                    return (Won: false, Target: 0, Error: ex);
                }
            }));

            var winner = Assert.Single(outcomes, o => o.Won);
            Assert.Equal(winner.Target, (await peer.LoadAsync("p"))!.Labels["production"]);
        }

        Assert.Equal(11, (await store.LoadAsync("p"))!.LabelHistory.Count);
    }

    [Fact]
    public virtual async Task SetLabelAsync_AfterAnotherInstanceMovedTheLabel_UsesTheFreshVersion()
    {
        var store = await CreateStoreAsync();
        var a = Registry(store);
        var b = Registry(await CreatePeerAsync(store));
        await a.RegisterAsync(Draft("p", "one"));
        await a.RegisterAsync(Draft("p", "two"));
        await a.SetLabelAsync("p", "production", 1);
        Assert.Equal(1, await b.GetLabelAsync("p", "production"));

        await a.SetLabelAsync("p", "production", 2);
        var move = await b.SetLabelAsync("p", "production", 1); // b's cached copy says 1; the move reads the store first

        Assert.Equal(2, move.FromVersion);
        Assert.Equal(3, (await store.LoadAsync("p"))!.LabelHistory.Count);
    }

    protected static PromptTemplate Draft(string name, string text) => new(name, [new PromptMessageTemplate(ChatRole.User, text)]);

    protected static PromptRegistry Registry(IPromptStore store, TimeProvider? time = null)
        => new(store, new PromptRegistryOptions { RefreshInterval = TimeSpan.FromHours(1) }, time ?? new FakeTimeProvider(Start));
}
