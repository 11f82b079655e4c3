using System.Runtime.CompilerServices;
using LlmOps.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Tests.Caching;

/// <summary>
/// Issue 14 (sections 1, 5 and 6, the cache's part): single-flight that cannot hang and does not share a leader's
/// fate, copies that never reach a stored entry, hostile input, and cut streams. Every wait is on a signal or on a
/// <see cref="FakeTimeProvider"/>, never on wall time.
/// </summary>
public sealed class SemanticCachingChatClientReliabilityTests
{
    private readonly FakeChatClient _inner = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly BagOfWordsEmbeddingGenerator _embeddings = new();

    private SemanticCachingChatClient Create(Action<SemanticCacheOptions>? configure = null, IChatClient? inner = null, ISemanticCacheStore? store = null)
    {
        var options = new SemanticCacheOptions { SimilarityThreshold = 0.7f };
        configure?.Invoke(options);
        return new SemanticCachingChatClient(inner ?? _inner, store, _embeddings, options, _time);
    }

    private static async Task<ChatResponse> AskAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, CancellationToken token = default)
    {
        if (!streaming)
        {
            return await client.GetResponseAsync(messages, options, token);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, token))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    private static Task<ChatResponse> AskAsync(IChatClient client, string question, bool streaming, CancellationToken token = default)
        => AskAsync(client, [new ChatMessage(ChatRole.User, question)], null, streaming, token);

    // ---- 1. Single-flight: no hang ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_IsBlockedThrows_FlightEndsAndNextRequestCallsProvider(bool streaming)
    {
        var calls = 0;
        using var client = Create(o => o.IsBlocked = (_, _) => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("check failed") : false);

        await Assert.ThrowsAsync<InvalidOperationException>(() => AskAsync(client, "q", streaming));

        // Before the fix the dead flight stayed registered and this request waited on it forever, never calling the
        // provider. The inner call is entered synchronously, so the count shows it at once.
        _inner.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = AskAsync(client, "q", streaming);
        Assert.Equal(2, _inner.Calls);
        _inner.Gate.SetResult();
        Assert.Equal("answer to q", (await second).Text);
        Assert.Equal(0, client.Flights.Count);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_InnerDisposeThrows_FlightEndsAndNextRequestCallsProvider()
    {
        var inner = new DisposeThrowingChatClient();
        using var client = Create(inner: inner);

        await Assert.ThrowsAsync<InvalidOperationException>(() => AskAsync(client, "q", streaming: true));

        inner.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = AskAsync(client, "q", streaming: false);
        Assert.Equal(2, inner.Calls);
        inner.Gate.SetResult();
        Assert.Equal("fine", (await second).Text);
        Assert.Equal(0, client.Flights.Count);
    }

    // ---- 1. Single-flight: the leader's fate is not shared ----

    public static TheoryData<string, bool> LeaderFates() => new()
    {
        { "blocked", false }, { "blocked", true },
        { "truncated", false }, { "truncated", true },
        { "faulted", false }, { "faulted", true },
        { "cancelled", false }, { "cancelled", true },
    };

    [Theory]
    [MemberData(nameof(LeaderFates))]
    public async Task GetResponseAsync_LeaderAnswerNotCacheable_WaiterCallsProviderItself(string fate, bool streaming)
    {
        var leaderGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var leaderCts = new CancellationTokenSource();
        _inner.OnCall = async call =>
        {
            if (call == 1)
            {
                await leaderGate.Task;
                if (fate == "faulted")
                {
                    throw new InvalidOperationException("leader failed");
                }

                if (fate == "cancelled")
                {
                    throw new OperationCanceledException(leaderCts.Token);
                }
            }
        };
        _inner.FinishReasonOfCall = call => call == 1 && fate == "truncated" ? ChatFinishReason.Length : ChatFinishReason.Stop;
        _inner.Answer = (m, _) => _inner.Calls == 1 && fate == "blocked" ? "forbidden" : "answer to " + m.Last().Text;
        using var client = Create(o => o.IsBlocked = (_, r) => r.Text.Contains("forbidden", StringComparison.Ordinal));

        var leader = AskAsync(client, "q", streaming, leaderCts.Token);
        Assert.True(await Spin.UntilAsync(() => _inner.Calls == 1));
        var waiter = AskAsync(client, "q", streaming);
        Assert.True(await Spin.UntilAsync(() => client.Flights.Waiting == 1));
        if (fate == "cancelled")
        {
            await leaderCts.CancelAsync();
        }

        leaderGate.SetResult();
        try
        {
            await leader;
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // the leader's own fate
        }

        var answer = await waiter;
        Assert.Equal("answer to q", answer.Text);
        Assert.Equal(2, _inner.Calls);
        Assert.Equal(SemanticCacheStatus.Miss, answer.GetCacheResult()!.Status);
        Assert.True(answer.GetCacheResult()!.Stored);
    }

    [Fact]
    public async Task GetResponseAsync_FailFast_WaiterGetsFlightExceptionWithLeaderFailure()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.OnCall = async call =>
        {
            await gate.Task;
            throw new InvalidOperationException("provider down");
        };
        using var client = Create(o => o.SingleFlightFallback = SemanticCacheFlightFallback.FailFast);

        var leader = client.GetResponseAsync("q");
        var waiter = client.GetResponseAsync("q");
        Assert.True(await Spin.UntilAsync(() => client.Flights.Waiting == 1));
        gate.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => leader);
        var ex = await Assert.ThrowsAsync<SemanticCacheFlightException>(() => waiter);
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Contains("failed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, _inner.Calls);
    }

    // ---- 1. Single-flight: bounded, cancellable waiting ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_LeaderNeverFinishes_WaiterGoesOnAloneAfterTimeout(bool streaming)
    {
        var leaderGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.OnCall = call => call == 1 ? leaderGate.Task : Task.CompletedTask;
        using var client = Create(o => o.SingleFlightTimeout = TimeSpan.FromSeconds(30));

        var leader = AskAsync(client, "q", streaming);
        Assert.True(await Spin.UntilAsync(() => _inner.Calls == 1));
        var waiter = AskAsync(client, "q", streaming);
        Assert.True(await Spin.UntilAsync(() => client.Flights.Waiting == 1));

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(await Spin.UntilAsync(() => _inner.Calls == 2, maxYields: 1_000));
        _time.Advance(TimeSpan.FromSeconds(1));

        // Before the fix the wait had no bound: the waiter never called the provider.
        Assert.True(await Spin.UntilAsync(() => _inner.Calls == 2));
        Assert.Equal("answer to q", (await waiter).Text);
        leaderGate.SetResult();
        await leader;
    }

    [Fact]
    public async Task GetResponseAsync_FailFastAndTimeout_WaiterGetsFlightException()
    {
        var leaderGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.OnCall = _ => leaderGate.Task;
        using var client = Create(o =>
        {
            o.SingleFlightTimeout = TimeSpan.FromSeconds(5);
            o.SingleFlightFallback = SemanticCacheFlightFallback.FailFast;
        });

        var leader = client.GetResponseAsync("q");
        var waiter = client.GetResponseAsync("q");
        Assert.True(await Spin.UntilAsync(() => client.Flights.Waiting == 1));
        _time.Advance(TimeSpan.FromSeconds(5));

        // Bounded: before the fix the wait had no timeout, and this check failed instead of hanging the run.
        Assert.True(await Spin.UntilAsync(() => waiter.IsCompleted));
        var ex = await Assert.ThrowsAsync<SemanticCacheFlightException>(() => waiter);
        Assert.Contains("SingleFlightTimeout", ex.Message, StringComparison.Ordinal);
        leaderGate.SetResult();
        await leader;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_WaiterCancelled_LeaderUnaffectedAndStores(bool streaming)
    {
        var leaderGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.OnCall = _ => leaderGate.Task;
        using var client = Create();
        using var waiterCts = new CancellationTokenSource();

        var leader = AskAsync(client, "q", streaming);
        Assert.True(await Spin.UntilAsync(() => _inner.Calls == 1));
        var waiter = AskAsync(client, "q", streaming, waiterCts.Token);
        Assert.True(await Spin.UntilAsync(() => client.Flights.Waiting == 1));
        await waiterCts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        Assert.False(_inner.Tokens[0].IsCancellationRequested);
        leaderGate.SetResult();
        var answer = await leader;

        Assert.Equal("answer to q", answer.Text);
        Assert.True(answer.GetCacheResult()!.Stored);
        Assert.Equal(1, _inner.Calls);
    }

    // ---- 1. Every hit gets its own copy; stored entries are never reachable ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_MutatingAnyAdditionalProperties_NeverReachesTheCache(bool streaming)
    {
        var inner = new PropertiesChatClient();
        UsageDetails? pricedUsage = null;
        using var client = Create(o => o.SavedCostEstimator = (_, usage) =>
        {
            pricedUsage = usage;
            return 1m;
        }, inner: inner);

        // The leader's own answer: mutate every dictionary and the usage it got.
        var first = await AskAsync(client, "q", streaming);
        Tamper(first);
        first.Usage?.OutputTokenCount = 999_999;

        var hit1 = await AskAsync(client, "q", streaming);
        Assert.Equal(SemanticCacheStatus.Hit, hit1.GetCacheResult()!.Status);
        AssertPristine(hit1);
        Tamper(hit1);

        var hit2 = await AskAsync(client, "q", streaming);
        AssertPristine(hit2);
        Assert.Equal(7, pricedUsage!.OutputTokenCount);
        Assert.NotSame(hit1.Messages[0].Contents[0].AdditionalProperties, hit2.Messages[0].Contents[0].AdditionalProperties);

        static void Tamper(ChatResponse r)
        {
            r.AdditionalProperties?["k"] = "tampered";
            r.Messages[0].AdditionalProperties?["k"] = "tampered";
            foreach (var content in r.Messages[0].Contents)
            {
                content.AdditionalProperties?["k"] = "tampered";
            }
        }

        void AssertPristine(ChatResponse r)
        {
            Assert.Equal("hello", r.Text);
            if (!streaming)
            {
                Assert.Equal("response", r.AdditionalProperties!["k"]);
                Assert.Equal("message", r.Messages[0].AdditionalProperties!["k"]);
            }

            Assert.Equal("content", r.Messages[0].Contents.OfType<TextContent>().First().AdditionalProperties!["k"]);
        }
    }

    // ---- 5. Bad input ----

    public static TheoryData<string, bool> HostileRequests() => new()
    {
        { "null message", false }, { "null message", true },
        { "null content", false }, { "null content", true },
    };

    [Theory]
    [MemberData(nameof(HostileRequests))]
    public async Task GetResponseAsync_HostileMessages_ArgumentExceptionNamingMessages(string kind, bool streaming)
    {
        using var client = Create();
        var messages = kind switch
        {
            "null message" => new List<ChatMessage> { new(ChatRole.User, "q"), null! },
            _ => [new ChatMessage(ChatRole.User, [new TextContent("q"), null!])],
        };

        // Eager: the streaming call throws before enumeration starts.
        var ex = streaming
            ? Assert.Throws<ArgumentException>(() => client.GetStreamingResponseAsync(messages))
            : await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync(messages));

        Assert.Equal("messages", ex.ParamName);
        Assert.Contains(kind == "null message" ? "messages[1]" : "messages[0].Contents[1]", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, _inner.Calls);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_MessageWithoutContents_TreatedAsEmptyAndCached(bool streaming)
    {
        using var client = Create();
        _inner.Answer = (_, _) => "empty";
        ChatMessage[] Request() => [new(ChatRole.System, "sys"), new(ChatRole.User, (string?)null), new(ChatRole.User, [])];

        await AskAsync(client, Request(), null, streaming);
        var second = await AskAsync(client, Request(), null, streaming);

        Assert.Equal(SemanticCacheStatus.Hit, second.GetCacheResult()!.Status);
        Assert.Equal(1, _inner.Calls);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ProviderPropertyWithCycle_UncacheableNotAFailure(bool streaming)
    {
        using var client = Create();
        var cycle = new Dictionary<string, object?>();
        cycle["self"] = cycle;
        var options = new ChatOptions { AdditionalProperties = new() { ["provider_setting"] = cycle } };

        var first = await AskAsync(client, [new ChatMessage(ChatRole.User, "q")], options, streaming);
        await AskAsync(client, [new ChatMessage(ChatRole.User, "q")], options, streaming);

        Assert.Equal("answer to q", first.Text);
        Assert.Equal(SemanticCacheStatus.Bypassed, first.GetCacheResult()!.Status);
        Assert.Contains("provider_setting", first.GetCacheResult()!.BypassReason, StringComparison.Ordinal);
        Assert.Equal(2, _inner.Calls);
    }

    // ---- 6. Streams cut without an error ----

    [Fact]
    public async Task GetStreamingResponseAsync_StreamEndsWithoutFinishReason_NotStoredByDefault()
    {
        _inner.FinishReason = null;
        using var client = Create();

        var first = await AskAsync(client, "q", streaming: true);
        await AskAsync(client, "q", streaming: true);

        Assert.False(first.GetCacheResult()!.Stored);
        Assert.Contains("finish reason", first.GetCacheResult()!.NotStoredReason, StringComparison.Ordinal);
        Assert.Equal(2, _inner.Calls);
    }

    /// <summary>Streams one chunk with a finish reason, then throws when its enumerator is disposed (first call only).</summary>
    private sealed class DisposeThrowingChatClient : IChatClient
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public TaskCompletionSource? Gate { get; set; }

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            if (Gate is { } gate)
            {
                await gate.Task;
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "fine")) { FinishReason = ChatFinishReason.Stop };
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return new Stream();
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }

        private sealed class Stream : IAsyncEnumerable<ChatResponseUpdate>, IAsyncEnumerator<ChatResponseUpdate>
        {
            private int _index = -1;

            public ChatResponseUpdate Current { get; private set; } = null!;

            public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default) => this;

            public ValueTask<bool> MoveNextAsync()
            {
                _index++;
                Current = new ChatResponseUpdate(ChatRole.Assistant, "partial") { FinishReason = ChatFinishReason.Stop };
                return new ValueTask<bool>(_index == 0);
            }

            public ValueTask DisposeAsync() => throw new InvalidOperationException("dispose failed");
        }
    }

    /// <summary>Answers with AdditionalProperties on the response, the message and the content, and usage.</summary>
    private sealed class PropertiesChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, [new TextContent("hello") { AdditionalProperties = new() { ["k"] = "content" } }])
            {
                AdditionalProperties = new() { ["k"] = "message" },
            })
            {
                FinishReason = ChatFinishReason.Stop,
                AdditionalProperties = new() { ["k"] = "response" },
                Usage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 7 },
            });

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new TextContent("hello") { AdditionalProperties = new() { ["k"] = "content" } }]) { MessageId = "m" };
            yield return new ChatResponseUpdate(null, [new UsageContent(new UsageDetails { InputTokenCount = 3, OutputTokenCount = 7 })]) { FinishReason = ChatFinishReason.Stop, MessageId = "m" };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
