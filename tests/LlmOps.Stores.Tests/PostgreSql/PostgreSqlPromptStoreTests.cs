using System.Diagnostics;
using LlmOps.PostgreSql;
using LlmOps.Prompts;
using LlmOps.Stores.Tests.Engines;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace LlmOps.Stores.Tests.PostgreSql;

[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlPromptStoreTests(PostgresEngine engine, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly NpgsqlDataSource _instanceA = NpgsqlDataSource.Create(engine.ConnectionString);
    private readonly NpgsqlDataSource _instanceB = NpgsqlDataSource.Create(engine.ConnectionString);
    private readonly string _schema = engine.NewSchema("notify");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _instanceA.DisposeAsync();
        await _instanceB.DisposeAsync();
    }

    [Fact]
    public async Task SetLabelAsync_OnOneInstance_ReachesTheOtherInstancesRegistryWithinOneSecond()
    {
        await using var storeA = new PostgreSqlPromptStore(_instanceA, _schema);
        await using var storeB = new PostgreSqlPromptStore(_instanceB, _schema);
        var time = new FakeTimeProvider(); // never advanced: only the notification can end B's cached copy
        var a = new PromptRegistry(storeA, new PromptRegistryOptions { RefreshInterval = TimeSpan.FromHours(1) }, time);
        var b = new PromptRegistry(storeB, new PromptRegistryOptions { RefreshInterval = TimeSpan.FromHours(1) }, time);
        await a.RegisterAsync(new PromptTemplate("p", [new PromptMessageTemplate(ChatRole.User, "one")]));
        await a.RegisterAsync(new PromptTemplate("p", [new PromptMessageTemplate(ChatRole.User, "two")]));
        await a.SetLabelAsync("p", "production", 1);
        Assert.Equal("one", (await b.GetAsync("p", label: "production")).Messages[0].Content);

        var delays = new List<TimeSpan>();
        for (var round = 0; round < 20; round++)
        {
            var target = round % 2 == 0 ? 2 : 1;
            var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            EventHandler<PromptChangedEventArgs> onChange = (_, e) => { if (e.PromptName == "p") heard.TrySetResult(); };
            storeB.PromptChanged += onChange; // after the registry's own handler, so the cache is already dropped when this fires
            var clock = Stopwatch.StartNew();
            await a.SetLabelAsync("p", "production", target);
            await heard.Task.WaitAsync(TimeSpan.FromSeconds(1)); // the bound: every instance within 1 s
            delays.Add(clock.Elapsed);
            storeB.PromptChanged -= onChange;

            Assert.Equal(target, await b.GetLabelAsync("p", "production"));
        }

        delays.Sort();
        output.WriteLine($"NOTIFY delay from SetLabelAsync start to the other instance's registry: median {delays[delays.Count / 2].TotalMilliseconds:F1} ms, max {delays[^1].TotalMilliseconds:F1} ms over {delays.Count} moves");
    }

    [Fact]
    public async Task Listener_ConnectionKilled_ReconnectsAndFlushesEveryCachedPrompt()
    {
        var logger = new FakeLogger<PostgreSqlPromptStore>();
        await using var store = new PostgreSqlPromptStore(_instanceB, _schema, logger);
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.PromptChanged += (_, e) =>
        {
            if (e.PromptName is null) flushed.TrySetResult();
            else if (e.PromptName == "ping") listening.TrySetResult();
        };
        await store.LoadAsync("anything"); // waits until the listener listens
        await using (var ping = _instanceA.CreateCommand($"SELECT pg_notify('{_schema}_prompts', 'ping')"))
        {
            await ping.ExecuteNonQueryAsync();
        }

        await listening.Task.WaitAsync(TimeSpan.FromSeconds(5));

        await using (var kill = _instanceA.CreateCommand($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN \"{_schema}_prompts\"%'"))
        {
            await kill.ExecuteNonQueryAsync();
        }

        await flushed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 1950);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 1951);
    }

    [Fact]
    public async Task PromptVersions_AreInsertOnly_UpdateAndDeleteAreRejectedByTheDatabase()
    {
        await using var store = new PostgreSqlPromptStore(_instanceA, _schema);
        await new PromptRegistry(store).RegisterAsync(new PromptTemplate("p", [new PromptMessageTemplate(ChatRole.User, "one")]));

        await using var update = _instanceA.CreateCommand($"UPDATE \"{_schema}\".prompt_versions SET content_hash = 'x'");
        await using var delete = _instanceA.CreateCommand($"DELETE FROM \"{_schema}\".prompt_label_moves");
        var updateError = await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync());
        await delete.ExecuteNonQueryAsync(); // no rows yet: nothing to reject
        Assert.Contains("insert-only", updateError.MessageText, StringComparison.Ordinal);
        Assert.True((await store.LoadAsync("p"))!.Versions[0].IsIntact);
    }

    [Fact]
    public async Task MoveLabelAsync_ToAVersionThatDoesNotExist_ThrowsNotFound()
    {
        await using var store = new PostgreSqlPromptStore(_instanceA, _schema);
        await new PromptRegistry(store).RegisterAsync(new PromptTemplate("p", [new PromptMessageTemplate(ChatRole.User, "one")]));

        var error = await Assert.ThrowsAsync<PromptNotFoundException>(() => store.MoveLabelAsync(new PromptLabelMove("p", "production", null, 7, null, DateTimeOffset.UnixEpoch)).AsTask());

        Assert.Contains("version 7", error.Message, StringComparison.Ordinal);
        Assert.Empty((await store.LoadAsync("p"))!.LabelHistory);
    }
}
