using LlmOps.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Tests.Caching;

/// <summary>Issue 13: every failure the cache absorbs is logged once, with a stable EventId (1300–1399).</summary>
public sealed class SemanticCachingChatClientLoggingTests
{
    private readonly FakeChatClient _inner = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly BagOfWordsEmbeddingGenerator _embeddings = new();
    private readonly FakeLogger<SemanticCachingChatClient> _logger = new();
    private readonly FaultyStore _store = new();

    private SemanticCachingChatClient Create(Action<SemanticCacheOptions>? configure = null)
    {
        var options = new SemanticCacheOptions { SimilarityThreshold = 0.7f };
        configure?.Invoke(options);
        return new SemanticCachingChatClient(_inner, _store, _embeddings, options, _time, logger: _logger);
    }

    private FakeLogRecord Single(int eventId)
    {
        var records = _logger.Collector.GetSnapshot().Where(r => r.Id.Id == eventId).ToList();
        return Assert.Single(records);
    }

    [Theory]
    [InlineData("get", 1300)]
    [InlineData("find", 1300)]
    public async Task GetResponseAsync_StoreReadFails_MissAnsweredAndLoggedOnce(string operation, int eventId)
    {
        _store.FailGet = operation == "get";
        _store.FailFind = operation == "find";
        using var client = Create();

        var response = await client.GetResponseAsync("q");

        Assert.Equal("answer to q", response.Text);
        Assert.Equal(SemanticCacheStatus.Miss, response.GetCacheResult()!.Status);
        var record = Single(eventId);
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.IsType<InvalidOperationException>(record.Exception);
        Assert.Contains(operation == "get" ? "GetAsync" : "FindCandidatesAsync", record.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_StoreWriteFails_AnswerKeptAndLoggedOnce(bool streaming)
    {
        _store.FailSet = true;
        using var client = Create();

        ChatResponse response;
        if (streaming)
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in client.GetStreamingResponseAsync("q"))
            {
                updates.Add(update);
            }

            response = updates.ToChatResponse();
        }
        else
        {
            response = await client.GetResponseAsync("q");
        }

        Assert.Equal("answer to q", response.Text);
        Assert.False(response.GetCacheResult()!.Stored);
        Assert.Equal(LogLevel.Warning, Single(1301).Level);
    }

    [Fact]
    public async Task GetResponseAsync_EmbeddingFails_LoggedOnce()
    {
        _embeddings.Fault = new InvalidOperationException("model missing");
        using var client = Create();

        await client.GetResponseAsync("q");

        Assert.Equal("model missing", Single(1302).Exception!.Message);
    }

    [Fact]
    public async Task GetResponseAsync_RejectedEntryRemovalFails_LoggedOnce()
    {
        _store.FailInvalidate = true;
        using var client = Create();
        var info = new LlmOpsInfo();
        var rejection = info.GetOrAdd(static () => new AnswerRejection());
        var options = new ChatOptions().WithProperty(LlmOpsChatOptionsExtensions.InfoKey, info);

        await client.GetResponseAsync("q", options);
        await rejection.RejectAsync();

        Assert.Equal(LogLevel.Warning, Single(1303).Level);
    }

    [Fact]
    public async Task GetResponseAsync_UnserialisableProviderProperty_LoggedAtDebug()
    {
        using var client = Create();
        var cycle = new List<object>();
        cycle.Add(cycle);

        await client.GetResponseAsync("q", new ChatOptions { AdditionalProperties = new() { ["loop"] = cycle } });

        var record = Single(1304);
        Assert.Equal(LogLevel.Debug, record.Level);
        Assert.Contains("loop", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_FlightWaitTimesOut_LoggedOnce()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.OnCall = call => call == 1 ? gate.Task : Task.CompletedTask;
        using var client = Create(o => o.SingleFlightTimeout = TimeSpan.FromSeconds(10));

        var leader = client.GetResponseAsync("q");
        var waiter = client.GetResponseAsync("q");
        Assert.True(await Spin.UntilAsync(() => client.Flights.Waiting == 1));
        _time.Advance(TimeSpan.FromSeconds(10));
        await waiter;
        gate.SetResult();
        await leader;

        Assert.Equal(LogLevel.Information, Single(1305).Level);
    }

    [Fact]
    public async Task UseSemanticCache_LoggerFactoryRegistered_LogsThroughIt()
    {
        using var provider = new FakeLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(provider));
        services.AddSingleton<ISemanticCacheStore>(_store);
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(_embeddings);
        _store.FailGet = true;
        using var sp = services.BuildServiceProvider();
        using var client = new ChatClientBuilder(_inner).UseSemanticCache().Build(sp);

        await client.GetResponseAsync("q");

        Assert.Contains(provider.Collector.GetSnapshot(), r => r.Id.Id == 1300);
    }

    [Fact]
    public async Task GetResponseAsync_NoFailures_LogsNothing()
    {
        using var client = Create();

        await client.GetResponseAsync("q");
        await client.GetResponseAsync("q");

        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    private sealed class FaultyStore : ISemanticCacheStore
    {
        private readonly InMemorySemanticCacheStore _inner = new();

        public bool FailGet { get; set; }

        public bool FailFind { get; set; }

        public bool FailSet { get; set; }

        public bool FailInvalidate { get; set; }

        public ValueTask<SemanticCacheEntry?> GetAsync(SemanticCacheKey key, CancellationToken cancellationToken = default)
            => FailGet ? throw new InvalidOperationException("get failed") : _inner.GetAsync(key, cancellationToken);

        public ValueTask<SemanticCacheMatch?> FindNearestAsync(SemanticCacheKey partition, ReadOnlyMemory<float> embedding, CancellationToken cancellationToken = default)
            => FailFind ? throw new InvalidOperationException("find failed") : _inner.FindNearestAsync(partition, embedding, cancellationToken);

        public ValueTask SetAsync(SemanticCacheEntry entry, CancellationToken cancellationToken = default)
            => FailSet ? throw new InvalidOperationException("set failed") : _inner.SetAsync(entry, cancellationToken);

        public ValueTask<int> InvalidateAsync(SemanticCacheInvalidation selection, CancellationToken cancellationToken = default)
            => FailInvalidate ? throw new InvalidOperationException("invalidate failed") : _inner.InvalidateAsync(selection, cancellationToken);
    }
}
