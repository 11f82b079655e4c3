using LlmOps.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Tests.Caching;

/// <summary>
/// Issue 21: single-flight across instances through <see cref="ISemanticCacheFlightCoordinator"/>. Two caches over one
/// shared store stand for two instances; the coordinator is a hand-written double whose waits end on signals or on a
/// <see cref="FakeTimeProvider"/>. (The Redis coordinator is tested with separate OS processes in LlmOps.Stores.Tests.)
/// </summary>
public sealed class SemanticCacheFlightCoordinatorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly SharedFlightStore _store;
    private readonly FakeChatClient _innerA = new() { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
    private readonly FakeChatClient _innerB = new();

    public SemanticCacheFlightCoordinatorTests() => _store = new SharedFlightStore(_time);

    private SemanticCachingChatClient Instance(FakeChatClient inner, Action<SemanticCacheOptions>? configure = null, ISemanticCacheStore? store = null, FakeLogger? logger = null)
    {
        var options = new SemanticCacheOptions();
        configure?.Invoke(options);
        return new SemanticCachingChatClient(inner, store ?? _store, null, options, _time, logger: logger);
    }

    private static async Task<ChatResponse> AskAsync(IChatClient client, bool streaming, CancellationToken token = default)
    {
        ChatMessage[] messages = [new(ChatRole.User, "q")];
        if (!streaming)
        {
            return await client.GetResponseAsync(messages, null, token);
        }

        var updates = new List<ChatResponseUpdate>();
        SemanticCacheResult? result = null;
        await foreach (var update in client.GetStreamingResponseAsync(messages, null, token))
        {
            result ??= update.GetCacheResult();
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        response.AdditionalProperties = new() { ["result"] = result };
        return response;
    }

    private static SemanticCacheResult? ResultOf(ChatResponse response)
        => response.GetCacheResult() ?? response.AdditionalProperties?["result"] as SemanticCacheResult;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task IdenticalColdRequest_OnTwoInstances_MakesOneProviderCall(bool streaming)
    {
        using var a = Instance(_innerA);
        using var b = Instance(_innerB);

        var leading = AskAsync(a, streaming);
        Assert.True(await Spin.UntilAsync(() => _store.Leases == 1));
        var waiting = AskAsync(b, streaming);
        Assert.True(await Spin.UntilAsync(() => _store.Waits == 1));
        _innerA.Gate!.SetResult();

        var (first, second) = (await leading, await waiting);
        Assert.Equal(1, _innerA.Calls + _innerB.Calls);
        Assert.Equal("answer to q", second.Text);
        Assert.Equal(SemanticCacheTier.Shared, ResultOf(second)!.Tier);
        Assert.Equal(SemanticCacheStatus.Miss, ResultOf(first)!.Status);
        Assert.Equal(0, _store.Leases);
    }

    [Fact]
    public async Task SecondRequestOnTheWaitingInstance_WaitsInProcess_SoOneWaitPerInstance()
    {
        using var a = Instance(_innerA);
        using var b = Instance(_innerB);
        var leading = AskAsync(a, streaming: false);
        var first = AskAsync(b, streaming: false);
        Assert.True(await Spin.UntilAsync(() => _store.Waits == 1));
        var second = AskAsync(b, streaming: false);
        Assert.True(await Spin.UntilAsync(() => b.Flights.Waiting == 1));

        _innerA.Gate!.SetResult();

        await leading;
        Assert.Equal("answer to q", (await first).Text);
        Assert.Equal("answer to q", (await second).Text);
        Assert.Equal(1, _store.Waits);
        Assert.Equal(1, _innerA.Calls + _innerB.Calls);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LeaderOnAnotherInstanceFails_TheWaiterCallsTheProviderItself(bool streaming)
    {
        _innerA.Fault = new InvalidOperationException("provider down");
        using var a = Instance(_innerA);
        using var b = Instance(_innerB);
        var leading = AskAsync(a, streaming);
        var waiting = AskAsync(b, streaming);
        Assert.True(await Spin.UntilAsync(() => _store.Waits == 1));

        _innerA.Gate!.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => leading);
        Assert.Equal("answer to q", (await waiting).Text);
        Assert.Equal(1, _innerB.Calls);
        Assert.Equal(0, _store.Leases);
    }

    [Fact]
    public async Task LeaderOnAnotherInstanceFails_FailFast_ThrowsFlightExceptionToTheWaiterAndItsLocalWaiters()
    {
        _innerA.Fault = new InvalidOperationException("provider down");
        using var a = Instance(_innerA);
        using var b = Instance(_innerB, o => o.SingleFlightFallback = SemanticCacheFlightFallback.FailFast);
        var leading = AskAsync(a, streaming: false);
        var waiting = AskAsync(b, streaming: false);
        Assert.True(await Spin.UntilAsync(() => _store.Waits == 1));
        var local = AskAsync(b, streaming: false);
        Assert.True(await Spin.UntilAsync(() => b.Flights.Waiting == 1));

        _innerA.Gate!.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => leading);
        var ex = await Assert.ThrowsAsync<SemanticCacheFlightException>(() => waiting);
        Assert.Contains("another instance", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SemanticCacheFlightException>(() => local);
        Assert.Equal(0, _innerB.Calls);
    }

    [Fact]
    public async Task WaiterCancelled_EndsItsWaitOnly_TheLeaderOnAnotherInstanceStores()
    {
        using var a = Instance(_innerA);
        using var b = Instance(_innerB);
        using var cancel = new CancellationTokenSource();
        var leading = AskAsync(a, streaming: false);
        var waiting = AskAsync(b, streaming: false, cancel.Token);
        Assert.True(await Spin.UntilAsync(() => _store.Waits == 1));

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.False(leading.IsCompleted);
        _innerA.Gate!.SetResult();
        Assert.Equal("answer to q", (await leading).Text);
        Assert.True(ResultOf(await leading)!.Stored);
        Assert.Equal(0, _innerB.Calls);
        Assert.Equal(0, b.Flights.Count);
    }

    [Fact]
    public async Task LeaderOnAnotherInstanceNeverFinishes_TheWaiterGoesOnAloneAfterSingleFlightTimeout()
    {
        using var a = Instance(_innerA);
        using var b = Instance(_innerB, o => o.SingleFlightTimeout = TimeSpan.FromSeconds(5));
        var leading = AskAsync(a, streaming: false);
        var waiting = AskAsync(b, streaming: false);
        Assert.True(await Spin.UntilAsync(() => _store.Waits == 1));

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(waiting.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("answer to q", (await waiting).Text);
        Assert.Equal(1, _innerB.Calls);
        _innerA.Gate!.SetResult();
        await leading;
    }

    [Fact]
    public async Task EntryStoredJustBeforeTheLeaseWasTaken_IsServedWithoutAProviderCall()
    {
        using var b = Instance(_innerB);
        var entryOfA = Instance(new FakeChatClient());
        await AskAsync(entryOfA, streaming: false); // "another instance" answered and stored the entry...
        _store.HideEntriesOnce = true;              // ...which this instance's exact lookup did not see yet

        var response = await AskAsync(b, streaming: false);

        Assert.Equal(0, _innerB.Calls);
        Assert.Equal(SemanticCacheTier.Exact, ResultOf(response)!.Tier);
        Assert.Equal(0, _store.Leases);
        entryOfA.Dispose();
    }

    [Fact]
    public async Task CoordinatorThrows_TheRequestLeadsAlone_AndTheFailureIsLogged()
    {
        var logger = new FakeLogger();
        _store.Fail = true;
        using var b = Instance(_innerB, logger: logger);

        var response = await AskAsync(b, streaming: false);

        Assert.Equal("answer to q", response.Text);
        Assert.Equal(1, _innerB.Calls);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1306);
    }

    [Fact]
    public async Task RefreshMode_DoesNotWaitOnAnotherInstance()
    {
        using var a = Instance(_innerA);
        using var b = Instance(_innerB);
        var leading = AskAsync(a, streaming: false);

        var refreshed = await b.GetResponseAsync([new ChatMessage(ChatRole.User, "q")], new ChatOptions().WithCacheMode(SemanticCacheMode.Refresh));

        Assert.Equal("answer to q", refreshed.Text);
        Assert.Equal(0, _store.Waits);
        _innerA.Gate!.SetResult();
        await leading;
    }

    /// <summary>An in-memory store shared by two "instances", with a lease per key whose release wakes the waiters.</summary>
    private sealed class SharedFlightStore(TimeProvider time) : ISemanticCacheStore, ISemanticCacheFlightCoordinator
    {
        private readonly InMemorySemanticCacheStore _inner = new(100, time);
        private readonly Dictionary<SemanticCacheKey, TaskCompletionSource> _leases = [];
        private int _waits;

        public int Leases
        {
            get
            {
                lock (_leases)
                {
                    return _leases.Count;
                }
            }
        }

        public int Waits => Volatile.Read(ref _waits);

        public bool Fail { get; set; }

        public bool HideEntriesOnce { get; set; }

        public ValueTask<SemanticCacheEntry?> GetAsync(SemanticCacheKey key, CancellationToken cancellationToken = default)
        {
            if (HideEntriesOnce)
            {
                HideEntriesOnce = false;
                return ValueTask.FromResult<SemanticCacheEntry?>(null);
            }

            return _inner.GetAsync(key, cancellationToken);
        }

        public ValueTask<SemanticCacheMatch?> FindNearestAsync(SemanticCacheKey partition, ReadOnlyMemory<float> embedding, CancellationToken cancellationToken = default)
            => _inner.FindNearestAsync(partition, embedding, cancellationToken);

        public ValueTask SetAsync(SemanticCacheEntry entry, CancellationToken cancellationToken = default) => _inner.SetAsync(entry, cancellationToken);

        public ValueTask<int> InvalidateAsync(SemanticCacheInvalidation selection, CancellationToken cancellationToken = default) => _inner.InvalidateAsync(selection, cancellationToken);

        public ValueTask<IAsyncDisposable?> TryLeadAsync(SemanticCacheKey key, CancellationToken cancellationToken = default)
        {
            if (Fail)
            {
                throw new InvalidOperationException("coordinator down");
            }

            lock (_leases)
            {
                if (_leases.ContainsKey(key))
                {
                    return ValueTask.FromResult<IAsyncDisposable?>(null);
                }

                var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _leases.Add(key, released);
                return ValueTask.FromResult<IAsyncDisposable?>(new Lease(this, key, released));
            }
        }

        public async ValueTask<SemanticCacheEntry?> WaitForLeaderAsync(SemanticCacheKey key, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            Task released;
            lock (_leases)
            {
                released = _leases.TryGetValue(key, out var lease) ? lease.Task : Task.CompletedTask;
            }

            Interlocked.Increment(ref _waits);
            try
            {
                await released.WaitAsync(timeout, time, cancellationToken);
            }
            catch (TimeoutException)
            {
                return null;
            }

            return await _inner.GetAsync(key, cancellationToken);
        }

        private sealed class Lease(SharedFlightStore owner, SemanticCacheKey key, TaskCompletionSource released) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                lock (owner._leases)
                {
                    owner._leases.Remove(key);
                }

                released.TrySetResult();
                return ValueTask.CompletedTask;
            }
        }
    }
}
