using System.Diagnostics.Metrics;
using LlmOps.Caching;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Tests.Caching;

public sealed class SemanticCachingChatClientTests
{
    private readonly FakeChatClient _inner = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly BagOfWordsEmbeddingGenerator _embeddings = new();

    private SemanticCachingChatClient Create(Action<SemanticCacheOptions>? configure = null, ISemanticCacheStore? store = null, LlmOpsTelemetry? telemetry = null)
    {
        var options = new SemanticCacheOptions { SimilarityThreshold = 0.7f };
        configure?.Invoke(options);
        return new SemanticCachingChatClient(_inner, store, _embeddings, options, _time, telemetry);
    }

    private static async Task<ChatResponse> AskAsync(IChatClient client, string question, ChatOptions? options, bool streaming, CancellationToken token = default)
    {
        if (!streaming)
        {
            return await client.GetResponseAsync(question, options, token);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(question, options, token))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    [Fact]
    public void Ctor_NullInner_Throws() => Assert.Throws<ArgumentNullException>(() => new SemanticCachingChatClient(null!));

    [Theory]
    [InlineData(float.NaN, "SimilarityThreshold")]
    [InlineData(1.5f, "SimilarityThreshold")]
    public void Ctor_BadThreshold_ThrowsNamingOption(float threshold, string name)
    {
        var ex = Assert.Throws<SemanticCacheConfigurationException>(() => new SemanticCachingChatClient(_inner, options: new() { SimilarityThreshold = threshold }));
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ctor_BadSizes_ThrowsNamingEachOption()
    {
        var options = new SemanticCacheOptions { MaxEntries = 0, TimeToLive = TimeSpan.Zero, MaxCacheableTemperature = -1 };
        options.CacheableFinishReasons.Clear();
        var ex = Assert.Throws<SemanticCacheConfigurationException>(() => new SemanticCachingChatClient(_inner, options: options));
        Assert.Contains("MaxEntries", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TimeToLive", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxCacheableTemperature", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CacheableFinishReasons", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_NullMessages_Throws()
    {
        using var client = Create();
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.GetResponseAsync((IEnumerable<ChatMessage>)null!));
        Assert.Throws<ArgumentNullException>(() => client.GetStreamingResponseAsync((IEnumerable<ChatMessage>)null!));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_SameRequestTwice_SecondIsExactHitWithProvenance(bool streaming)
    {
        using var client = Create(o => o.SavedCostEstimator = (model, usage) => model == "fake-model" ? usage.TotalTokenCount * 0.001m : null);

        var first = await AskAsync(client, "What is the capital of France?", null, streaming);
        _time.Advance(TimeSpan.FromMinutes(5));
        var second = await AskAsync(client, "What is the capital of France?", null, streaming);

        Assert.Equal(1, _inner.Calls);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(SemanticCacheStatus.Miss, first.GetCacheResult()!.Status);
        Assert.True(first.GetCacheResult()!.Stored);
        var hit = second.GetCacheResult()!;
        Assert.Equal(SemanticCacheStatus.Hit, hit.Status);
        Assert.Equal(SemanticCacheTier.Exact, hit.Tier);
        Assert.Equal(1f, hit.Similarity);
        Assert.Equal(TimeSpan.FromMinutes(5), hit.Age);
        Assert.Equal(0.150m, hit.SavedCost);
        Assert.Null(second.Usage); // a hit consumed no tokens
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_Paraphrase_SemanticHit(bool streaming)
    {
        using var client = Create();

        await AskAsync(client, "how do I reset my password", null, streaming);
        var second = await AskAsync(client, "how can I reset my password", null, streaming);

        Assert.Equal(1, _inner.Calls);
        Assert.Equal("answer to how do I reset my password", second.Text);
        Assert.Equal(SemanticCacheTier.Semantic, second.GetCacheResult()!.Tier);
        Assert.InRange(second.GetCacheResult()!.Similarity!.Value, 0.7f, 0.99f);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ArgumentsSwapped_RejectedByPairCheck(bool streaming)
    {
        using var client = Create();

        // The same words (a bag-of-words similarity of 1.0) in swapped roles: no lexical guard sees a difference.
        await AskAsync(client, "move my savings from checking to brokerage", null, streaming);
        var second = await AskAsync(client, "move my savings from brokerage to checking", null, streaming);

        Assert.Equal(2, _inner.Calls);
        Assert.Equal("answer to move my savings from brokerage to checking", second.Text);
        var result = second.GetCacheResult()!;
        Assert.Equal(SemanticCacheStatus.Miss, result.Status);
        Assert.Equal(SemanticCacheGuards.PairCheck, result.RejectedBy);
    }

    [Fact]
    public async Task GetResponseAsync_SameWordsMistypedBelowTheThreshold_Served()
    {
        using var client = Create();

        await client.GetResponseAsync("how do I reset the password of my router");
        var second = await client.GetResponseAsync("how do i resett pasword of my routr");

        Assert.Equal(1, _inner.Calls);
        var result = second.GetCacheResult()!;
        Assert.Equal(SemanticCacheTier.Semantic, result.Tier);
        Assert.InRange(result.Similarity!.Value, CachePairModel.SameWordsFloor, SemanticCacheOptions.DefaultSimilarityThreshold - 0.01f);
    }

    [Fact]
    public async Task GetResponseAsync_SameWordsMistypedBelowTheThresholdPairCheckOff_NotServed()
    {
        using var client = Create(o => o.Guards = SemanticCacheGuards.All & ~SemanticCacheGuards.PairCheck);

        await client.GetResponseAsync("how do I reset the password of my router");
        var second = await client.GetResponseAsync("how do i resett pasword of my routr");

        Assert.Equal(2, _inner.Calls);
        Assert.Equal(SemanticCacheStatus.Miss, second.GetCacheResult()!.Status);
    }

    [Fact]
    public async Task GetResponseAsync_PairCheckTurnedOff_SwappedArgumentsServed()
    {
        using var client = Create(o => o.Guards = SemanticCacheGuards.All & ~SemanticCacheGuards.PairCheck);

        await client.GetResponseAsync("move my savings from checking to brokerage");
        var second = await client.GetResponseAsync("move my savings from brokerage to checking");

        Assert.Equal(1, _inner.Calls);
        Assert.Equal(SemanticCacheTier.Semantic, second.GetCacheResult()!.Tier);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_Negation_RejectedByPolarityGuard(bool streaming)
    {
        using var client = Create();

        await AskAsync(client, "turn on dark mode", null, streaming);
        var second = await AskAsync(client, "turn off dark mode", null, streaming);

        Assert.Equal(2, _inner.Calls);
        Assert.Equal("answer to turn off dark mode", second.Text);
        var result = second.GetCacheResult()!;
        Assert.Equal(SemanticCacheStatus.Miss, result.Status);
        Assert.Equal(SemanticCacheGuards.Polarity, result.RejectedBy);
        Assert.NotNull(result.CandidateSimilarity);
    }

    [Fact]
    public async Task GetResponseAsync_GuardsOff_NegationServedWrongAnswer()
    {
        using var client = Create(o => o.Guards = SemanticCacheGuards.None);

        await client.GetResponseAsync("turn on dark mode");
        var second = await client.GetResponseAsync("turn off dark mode");

        Assert.Equal("answer to turn on dark mode", second.Text); // what the guards prevent
    }

    [Fact]
    public async Task GetResponseAsync_VerifierRejects_RecordedAsVerifier()
    {
        CacheHitArguments seen = default;
        using var client = Create(o =>
        {
            o.StorePromptText = true;
            o.Verifier = (args, _) =>
            {
                seen = args;
                return ValueTask.FromResult(false);
            };
        });

        await client.GetResponseAsync("how do I reset my password");
        var second = await client.GetResponseAsync("how can I reset my password");

        Assert.Equal(SemanticCacheGuards.Verifier, second.GetCacheResult()!.RejectedBy);
        Assert.Equal("how can I reset my password", seen.Query);
        Assert.Equal("how do I reset my password", seen.Candidate.PromptText);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task GetResponseAsync_PromptTextNotEnabled_EntriesHoldNoText()
    {
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        using var client = Create(store: store);
        await client.GetResponseAsync("secret question about my salary");

        var keys = CacheRequestKeys.Compute([new ChatMessage(ChatRole.User, "secret question about my salary")], null, LlmOpsScope.Global, "fake-model", null, 1);
        var entry = await store.GetAsync(keys.Exact);
        Assert.NotNull(entry);
        Assert.Null(entry.PromptText);
    }

    [Fact]
    public async Task GetResponseAsync_EmbeddingFails_DegradesToMissAndStillAnswers()
    {
        _embeddings.Fault = new InvalidOperationException("model unavailable");
        using var client = Create();

        var response = await client.GetResponseAsync("hello there");
        var again = await client.GetResponseAsync("hello there");

        Assert.Equal("answer to hello there", response.Text);
        Assert.Equal(SemanticCacheTier.Exact, again.GetCacheResult()!.Tier);
    }

    [Fact]
    public async Task GetResponseAsync_NoEmbeddingGenerator_ExactTierOnly()
    {
        using var client = new SemanticCachingChatClient(_inner, options: new() { SimilarityThreshold = 0.1f }, timeProvider: _time);

        await client.GetResponseAsync("how do I reset my password");
        await client.GetResponseAsync("how can I reset my password");
        var exact = await client.GetResponseAsync("how can I reset my password");

        Assert.Equal(2, _inner.Calls);
        Assert.Equal(SemanticCacheTier.Exact, exact.GetCacheResult()!.Tier);
    }

    public static TheoryData<string, bool> FinishReasons() => new()
    {
        { "length", false }, { "content_filter", false }, { "tool_calls", false }, { "stop", true },
    };

    [Theory]
    [MemberData(nameof(FinishReasons))]
    public async Task GetResponseAsync_FinishReason_StoredOnlyWhenCacheable(string reason, bool stored)
    {
        _inner.FinishReason = new ChatFinishReason(reason);
        using var client = Create();

        var first = await client.GetResponseAsync("q");
        await client.GetResponseAsync("q");

        Assert.Equal(stored, first.GetCacheResult()!.Stored);
        Assert.Equal(stored ? 1 : 2, _inner.Calls);
        if (!stored)
        {
            Assert.Contains(reason, first.GetCacheResult()!.NotStoredReason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GetResponseAsync_ToolCallsMadeCacheable_Stored()
    {
        _inner.FinishReason = ChatFinishReason.ToolCalls;
        using var client = Create(o => o.CacheableFinishReasons.Add(ChatFinishReason.ToolCalls));

        await client.GetResponseAsync("q");
        await client.GetResponseAsync("q");

        Assert.Equal(1, _inner.Calls);
    }

    public static TheoryData<string> BypassCases() => ["conversation", "temperature", "opt-out", "background"];

    [Theory]
    [MemberData(nameof(BypassCases))]
    public async Task GetResponseAsync_IneligibleRequest_BypassesCache(string kind)
    {
        using var client = Create(o => o.MaxCacheableTemperature = 0.8f);
        var options = kind switch
        {
            "conversation" => new ChatOptions { ConversationId = "conv-1" },
            "temperature" => new ChatOptions { Temperature = 0.9f },
            "opt-out" => new ChatOptions().WithCacheMode(SemanticCacheMode.Bypass),
            _ => new ChatOptions { AllowBackgroundResponses = true },
        };

        var first = await client.GetResponseAsync("q", options);
        await client.GetResponseAsync("q", options);

        Assert.Equal(2, _inner.Calls);
        Assert.Equal(SemanticCacheStatus.Bypassed, first.GetCacheResult()!.Status);
        Assert.NotNull(first.GetCacheResult()!.BypassReason);
    }

    [Fact]
    public async Task GetResponseAsync_ResponseInServerConversation_NotStored()
    {
        _inner.ConversationId = "conv-2";
        using var client = Create();

        await client.GetResponseAsync("q");
        await client.GetResponseAsync("q");

        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task GetResponseAsync_GuardrailBlocked_NotStored()
    {
        using var client = Create(o => o.IsBlocked = (_, response) => response.Text.Contains("forbidden", StringComparison.Ordinal));
        _inner.Answer = (_, _) => "forbidden words";

        var first = await client.GetResponseAsync("q");
        await client.GetResponseAsync("q");

        Assert.Equal(2, _inner.Calls);
        Assert.False(first.GetCacheResult()!.Stored);
    }

    [Fact]
    public async Task GetResponseAsync_RefreshMode_CallsInnerAndOverwrites()
    {
        using var client = Create();
        var version = 0;
        _inner.Answer = (_, _) => $"v{++version}";

        await client.GetResponseAsync("q");
        var refreshed = await client.GetResponseAsync("q", new ChatOptions().WithCacheMode(SemanticCacheMode.Refresh));
        var after = await client.GetResponseAsync("q");

        Assert.Equal("v2", refreshed.Text);
        Assert.Equal("v2", after.Text);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task GetResponseAsync_RefreshMode_StoredAnswerFoundByParaphrase()
    {
        using var client = Create();
        await client.GetResponseAsync("how do I reset my password", new ChatOptions().WithCacheMode(SemanticCacheMode.Refresh));

        var paraphrase = await client.GetResponseAsync("how can I reset my password", new ChatOptions());

        Assert.Equal(SemanticCacheTier.Semantic, paraphrase.GetCacheResult()!.Tier);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_InnerThrowsSynchronously_PropagatesAndNothingStored(bool streaming)
    {
        var inner = new ThrowingChatClient();
        using var client = new SemanticCachingChatClient(inner, options: new SemanticCacheOptions(), timeProvider: _time);

        var ex = await Assert.ThrowsAsync<NotSupportedException>(() => AskAsync(client, "q", null, streaming));

        Assert.Equal("no", ex.Message);
        await Assert.ThrowsAsync<NotSupportedException>(() => AskAsync(client, "q", null, streaming));
        Assert.Equal(2, inner.Calls);
    }

    private sealed class ThrowingChatClient : IChatClient
    {
        public int Calls { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            throw new NotSupportedException("no");
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            throw new NotSupportedException("no");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task GetResponseAsync_ExactOnlyMode_SkipsSemanticTier()
    {
        using var client = Create();
        await client.GetResponseAsync("how do I reset my password");

        var second = await client.GetResponseAsync("how can I reset my password", new ChatOptions().WithCacheMode(SemanticCacheMode.ExactOnly));

        Assert.Equal(2, _inner.Calls);
        Assert.Equal(0, _embeddings.Calls - 1);
        Assert.Equal(SemanticCacheStatus.Miss, second.GetCacheResult()!.Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_CallerOptionsAndMessages_NotMutated(bool streaming)
    {
        using var client = Create();
        var options = new ChatOptions { Temperature = 0.1f }.WithScope("t", "u");
        var props = options.AdditionalProperties!;
        var propsCount = props.Count;
        List<ChatMessage> messages = [new(ChatRole.User, "q")];

        for (var i = 0; i < 2; i++)
        {
            if (streaming)
            {
                await foreach (var _ in client.GetStreamingResponseAsync(messages, options))
                {
                }
            }
            else
            {
                await client.GetResponseAsync(messages, options);
            }
        }

        Assert.Same(props, options.AdditionalProperties);
        Assert.Equal(propsCount, props.Count);
        Assert.Single(messages);
        Assert.Equal("q", messages[0].Text);
    }

    [Fact]
    public async Task GetResponseAsync_HitsAreCopies_CallerMutationDoesNotLeak()
    {
        using var client = Create();
        await client.GetResponseAsync("q");

        var hit = await client.GetResponseAsync("q");
        ((TextContent)hit.Messages[0].Contents[0]).Text = "tampered";
        hit = await client.GetResponseAsync("q");
        hit.Messages[0].Contents.Clear();
        hit.Messages.Clear();
        var again = await client.GetResponseAsync("q");

        Assert.Equal("answer to q", again.Text);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CallerMutatesChunks_CacheUnaffected()
    {
        using var client = Create();
        await foreach (var update in client.GetStreamingResponseAsync("one two"))
        {
            foreach (var text in update.Contents.OfType<TextContent>())
            {
                text.Text = "tampered";
            }
        }

        var replay = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("one two"))
        {
            replay.Add(update);
        }

        Assert.Equal("answer to one two", replay.ToChatResponse().Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_ForwardsCancellationToken(bool streaming)
    {
        using var client = Create();
        using var cts = new CancellationTokenSource();

        await AskAsync(client, "q", null, streaming, cts.Token);

        Assert.Equal(cts.Token, Assert.Single(_inner.Tokens));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Hit_ReplaysOriginalChunksWithoutUsage()
    {
        using var client = Create();
        var original = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync("one two three four"))
        {
            original.Add(u);
        }

        var replay = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync("one two three four"))
        {
            replay.Add(u);
        }

        var originalText = original.Where(u => u.Text.Length > 0).Select(u => u.Text).ToList();
        var replayText = replay.Where(u => u.Text.Length > 0).Select(u => u.Text).ToList();
        Assert.Equal(originalText, replayText);
        Assert.True(replayText.Count >= 5);
        Assert.DoesNotContain(replay.SelectMany(u => u.Contents), c => c is UsageContent);
        Assert.Equal(ChatFinishReason.Stop, replay.ToChatResponse().FinishReason);
        Assert.Equal(SemanticCacheTier.Exact, replay[^1].GetCacheResult()!.Tier);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_NonStreamingEntry_ReplaysAsChunks()
    {
        using var client = Create();
        var first = await client.GetResponseAsync("q");

        var replay = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync("q"))
        {
            replay.Add(u);
        }

        Assert.Equal(first.Text, replay.ToChatResponse().Text);
        Assert.Equal(1, _inner.Calls);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FaultOrCancelAtEveryChunk_NothingStored()
    {
        const string question = "alpha beta gamma delta";
        var chunks = ("answer to " + question).Split(' ').Length + 1; // one chunk per word, then the finish chunk
        for (var position = 0; position <= chunks; position++)
        {
            foreach (var cancel in new[] { false, true })
            {
                var store = new InMemorySemanticCacheStore(timeProvider: _time);
                var inner = new FakeChatClient();
                using var client = new SemanticCachingChatClient(inner, store, _embeddings, new SemanticCacheOptions(), _time);
                using var cts = new CancellationTokenSource();
                if (!cancel)
                {
                    inner.Fault = new InvalidOperationException("provider failed");
                    inner.FaultAtChunk = position;
                }

                var seen = 0;
                var thrown = await Record.ExceptionAsync(async () =>
                {
                    await foreach (var _ in client.GetStreamingResponseAsync(question, cancellationToken: cts.Token))
                    {
                        if (cancel && ++seen == position)
                        {
                            await cts.CancelAsync();
                        }
                    }
                });

                if (cancel && position == 0)
                {
                    continue; // nothing cancelled: the control case below
                }

                if (!cancel)
                {
                    Assert.IsType<InvalidOperationException>(thrown); // the fault reaches the caller
                }

                // A provider may or may not observe a late cancellation (after its last chunk it has nothing left to
                // check), but a cancelled request is never cached either way.
                Assert.Equal(0, store.Count);
            }
        }

        var control = new InMemorySemanticCacheStore(timeProvider: _time);
        using var ok = new SemanticCachingChatClient(new FakeChatClient(), control, _embeddings, new SemanticCacheOptions(), _time);
        await foreach (var _ in ok.GetStreamingResponseAsync(question))
        {
        }

        Assert.Equal(1, control.Count);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_EarlyBreakAtEveryChunk_NothingStored()
    {
        for (var stopAfter = 1; stopAfter <= 7; stopAfter++) // six words and the finish chunk
        {
            var store = new InMemorySemanticCacheStore(timeProvider: _time);
            using var client = new SemanticCachingChatClient(new FakeChatClient(), store, _embeddings, new SemanticCacheOptions(), _time);
            var seen = 0;
            await foreach (var _ in client.GetStreamingResponseAsync("alpha beta gamma delta"))
            {
                if (++seen == stopAfter)
                {
                    break;
                }
            }

            Assert.Equal(0, store.Count);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_Fault_PropagatesAndNothingStored(bool streaming)
    {
        _inner.Fault = new InvalidOperationException("boom");
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        using var client = Create(store: store);

        await Assert.ThrowsAsync<InvalidOperationException>(() => AskAsync(client, "q", null, streaming));

        Assert.Equal(0, store.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_HundredConcurrentCallersColdKey_OneInnerCallSameAnswer(bool streaming)
    {
        _inner.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = Create();

        var tasks = Enumerable.Range(0, 100).Select(_ => Task.Run(() => AskAsync(client, "q", null, streaming))).ToList();
        Assert.True(
            await Spin.UntilAsync(() => _inner.Calls == 1 && client.Flights.Waiting == 99),
            $"Expected 1 inner call and 99 waiters; saw {_inner.Calls} and {client.Flights.Waiting}.");
        _inner.Gate.SetResult();
        var responses = await Task.WhenAll(tasks);

        Assert.Equal(1, _inner.Calls);
        Assert.All(responses, r => Assert.Equal("answer to q", r.Text));
        Assert.Equal(99, responses.Count(r => r.GetCacheResult()!.Status == SemanticCacheStatus.Hit));
    }

    [Fact]
    public async Task GetResponseAsync_SingleFlightFailure_WaitersCallProviderThemselvesNothingStored()
    {
        // Issue 14: a leader's failure is not shared; each waiter makes its own call (and here fails on its own).
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        _inner.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _inner.Fault = new InvalidOperationException("provider down");
        using var client = Create(store: store);

        var tasks = Enumerable.Range(0, 100).Select(_ => Task.Run(() => client.GetResponseAsync("q"))).ToList();
        Assert.True(
            await Spin.UntilAsync(() => _inner.Calls == 1 && client.Flights.Waiting == 99),
            $"Expected 1 inner call and 99 waiters; saw {_inner.Calls} and {client.Flights.Waiting}.");
        _inner.Gate.SetResult();
        foreach (var task in tasks)
        {
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => task);
            Assert.Equal("provider down", ex.Message);
        }

        Assert.Equal(100, _inner.Calls);
        Assert.Equal(0, store.Count);
        Assert.Equal(0, client.Flights.Count);
    }

    [Fact]
    public async Task GetResponseAsync_LeaderCancelled_WaiterRetriesItself()
    {
        _inner.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = Create();
        using var leaderCts = new CancellationTokenSource();

        var leader = client.GetResponseAsync("q", cancellationToken: leaderCts.Token);
        while (_inner.Calls == 0)
        {
            await Task.Yield();
        }

        var waiter = client.GetResponseAsync("q");
        await leaderCts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leader);
        _inner.Gate.SetResult();

        var response = await waiter;
        Assert.Equal("answer to q", response.Text);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task GetResponseAsync_SixtyFourScopesTwoHundredPrompts_NoCrossScopeHits()
    {
        _inner.Answer = (m, o) => $"{o.GetScope().Tenant}:{m.Last().Text}";
        using var client = Create(o =>
        {
            o.SimilarityThreshold = 0.0f;
            o.MaxEntries = 64 * 200;
        });

        async Task<int> RoundAsync()
        {
            var wrong = 0;
            await Parallel.ForEachAsync(
                Enumerable.Range(0, 64 * 200),
                new ParallelOptions { MaxDegreeOfParallelism = 16 },
                async (i, ct) =>
                {
                    var tenant = $"tenant-{i % 64}";
                    var prompt = $"question number {i / 64}";
                    var response = await client.GetResponseAsync(prompt, new ChatOptions().WithScope(tenant, "user"), ct);
                    if (response.Text != $"{tenant}:{prompt}")
                    {
                        Interlocked.Increment(ref wrong);
                    }
                });
            return wrong;
        }

        Assert.Equal(0, await RoundAsync());
        Assert.Equal(0, await RoundAsync());
        Assert.Equal(64 * 200, _inner.Calls);
    }

    [Fact]
    public async Task GetResponseAsync_KeyCollidesAcrossScopes_EntryNotServed()
    {
        // Simulates a crafted XxHash128 collision: an entry of tenant "victim" stored under tenant "attacker"'s key.
        var store = new InMemorySemanticCacheStore(timeProvider: _time);
        using var client = Create(store: store);
        var attacker = new ChatOptions().WithScope("attacker");
        var keys = CacheRequestKeys.Compute([new ChatMessage(ChatRole.User, "q")], attacker, attacker.GetScope(), "fake-model", null, 1);
        await store.SetAsync(new SemanticCacheEntry
        {
            Key = keys.Exact,
            Partition = keys.Partition,
            Response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "victim's secret")) { FinishReason = ChatFinishReason.Stop },
            CreatedAt = _time.GetUtcNow(),
            ScopeHash = SemanticCacheInvalidation.ScopeHashOf(new LlmOpsScope("victim")),
            TenantHash = SemanticCacheInvalidation.TenantHashOf("victim"),
        });

        var response = await client.GetResponseAsync("q", attacker);

        Assert.Equal("answer to q", response.Text);
        Assert.Equal(1, _inner.Calls);
    }

    [Fact]
    public async Task GetResponseAsync_TimeToLiveElapsed_Miss()
    {
        using var client = Create(o => o.TimeToLive = TimeSpan.FromMinutes(10));
        await client.GetResponseAsync("q");

        _time.Advance(TimeSpan.FromMinutes(9));
        var fresh = await client.GetResponseAsync("q");
        _time.Advance(TimeSpan.FromMinutes(1));
        var expired = await client.GetResponseAsync("q");

        Assert.Equal(SemanticCacheStatus.Hit, fresh.GetCacheResult()!.Status);
        Assert.Equal(SemanticCacheStatus.Miss, expired.GetCacheResult()!.Status);
        Assert.Equal(2, _inner.Calls);
    }

    [Fact]
    public async Task GetResponseAsync_TimeToLiveElapsed_SemanticTierMissesToo()
    {
        using var client = Create(o => o.TimeToLive = TimeSpan.FromMinutes(10));
        await client.GetResponseAsync("how do I reset my password");

        _time.Advance(TimeSpan.FromMinutes(10));
        var second = await client.GetResponseAsync("how can I reset my password");

        Assert.Equal(SemanticCacheStatus.Miss, second.GetCacheResult()!.Status);
    }

    [Fact]
    public async Task GetResponseAsync_MaxEntries_LeastRecentlyUsedEvicted()
    {
        using var client = Create(o => o.MaxEntries = 2);
        await client.GetResponseAsync("alpha");
        await client.GetResponseAsync("beta");
        await client.GetResponseAsync("alpha"); // alpha is now the most recently used
        await client.GetResponseAsync("gamma"); // evicts beta

        Assert.Equal(SemanticCacheStatus.Hit, (await client.GetResponseAsync("alpha")).GetCacheResult()!.Status);
        Assert.Equal(SemanticCacheStatus.Miss, (await client.GetResponseAsync("beta")).GetCacheResult()!.Status);
        Assert.Equal(2, ((InMemorySemanticCacheStore)client.Store).Count);
    }

    public static TheoryData<string> Invalidations() => ["scope", "tenant", "model", "prompt", "prompt-version", "all"];

    [Theory]
    [MemberData(nameof(Invalidations))]
    public async Task InvalidateAsync_Selection_RemovesOnlyMatchingEntries(string kind)
    {
        using var client = Create(o => o.PromptIdentity = (_, options) =>
            options?.AdditionalProperties?.TryGetValue("prompt", out var p) == true ? new SemanticCachePromptIdentity((string)p!, "1") : null);
        ChatOptions Opts(string tenant, string model, string prompt)
        {
            var o = new ChatOptions { ModelId = model, AdditionalProperties = new() { ["prompt"] = prompt } };
            return o.WithScope(tenant, "u");
        }

        var a = Opts("t1", "m1", "p1");
        var b = Opts("t2", "m2", "p2");
        await client.GetResponseAsync("q", a);
        await client.GetResponseAsync("q", b);

        var selection = kind switch
        {
            "scope" => SemanticCacheInvalidation.ForScope(new LlmOpsScope("t1", "u")),
            "tenant" => SemanticCacheInvalidation.ForTenant("t1"),
            "model" => SemanticCacheInvalidation.ForModel("m1"),
            "prompt" => SemanticCacheInvalidation.ForPrompt("p1"),
            "prompt-version" => SemanticCacheInvalidation.ForPrompt("p1", "1"),
            _ => SemanticCacheInvalidation.All(),
        };
        var removed = await client.InvalidateAsync(selection);

        Assert.Equal(kind == "all" ? 2 : 1, removed);
        Assert.Equal(SemanticCacheStatus.Miss, (await client.GetResponseAsync("q", a)).GetCacheResult()!.Status);
        var expectedB = kind == "all" ? SemanticCacheStatus.Miss : SemanticCacheStatus.Hit;
        Assert.Equal(expectedB, (await client.GetResponseAsync("q", b)).GetCacheResult()!.Status);
    }

    [Fact]
    public async Task InvalidateAsync_OtherPromptVersion_KeepsEntry()
    {
        using var client = Create(o => o.PromptIdentity = (_, _) => new SemanticCachePromptIdentity("p1", "1"));
        await client.GetResponseAsync("q");

        Assert.Equal(0, await client.InvalidateAsync(SemanticCacheInvalidation.ForPrompt("p1", "2")));
        Assert.Equal(SemanticCacheStatus.Hit, (await client.GetResponseAsync("q")).GetCacheResult()!.Status);
    }

    [Fact]
    public async Task GetResponseAsync_Metrics_RequestsAndSavedCost()
    {
        using var telemetry = new LlmOpsTelemetry();
        var requests = new List<(long Value, Dictionary<string, object?> Tags)>();
        var saved = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == telemetry.Meter && instrument.Name.StartsWith("llmops.cache.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var d = new Dictionary<string, object?>();
            foreach (var t in tags)
            {
                d[t.Key] = t.Value;
            }

            lock (requests)
            {
                requests.Add((value, d));
            }
        });
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => saved.Add(value));
        listener.Start();

        using var client = Create(o => o.SavedCostEstimator = (_, usage) => usage.TotalTokenCount * 0.01m, telemetry: telemetry);
        await client.GetResponseAsync("how do I reset my password");
        await client.GetResponseAsync("how do I reset my password");
        await client.GetResponseAsync("how can I reset my password");

        Assert.Equal(["miss", "hit", "hit"], requests.Select(r => (string)r.Tags["llmops.cache.status"]!));
        Assert.Equal(["none", "exact", "semantic"], requests.Select(r => (string)r.Tags["llmops.cache.tier"]!));
        Assert.Equal([1.5, 1.5], saved);
    }

    [Fact]
    public void GetService_ReturnsStoreAndEmbeddingGenerator()
    {
        var store = new InMemorySemanticCacheStore();
        using var client = Create(store: store);

        Assert.Same(store, client.GetService<ISemanticCacheStore>());
        Assert.Same(store, client.GetService<InMemorySemanticCacheStore>());
        Assert.Same(_embeddings, client.GetService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Same(client, client.GetService<SemanticCachingChatClient>());
        Assert.Same(_inner, client.GetService<FakeChatClient>());
    }

    [Fact]
    public async Task UseLlmOps_AddSemanticCacheRegistered_CacheStageActive()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddLlmOps().AddSemanticCache(o => o.TimeToLive = TimeSpan.FromMinutes(1));
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(_embeddings);
        services.AddChatClient(_inner).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();

        await client.GetResponseAsync("q");
        var hit = await client.GetResponseAsync("q");

        Assert.Equal(1, _inner.Calls);
        Assert.Equal(SemanticCacheTier.Exact, hit.GetCacheResult()!.Tier);
        Assert.Equal("hit", hit.GetLlmOpsInfo()!.Tags["llmops.cache.status"]);
        Assert.NotNull(client.GetService<ISemanticCacheStore>());
    }

    [Fact]
    public async Task UseLlmOps_CacheNotRegistered_NoCacheStage()
    {
        var services = new ServiceCollection();
        services.AddLlmOps();
        services.AddChatClient(_inner).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();

        await client.GetResponseAsync("q");
        await client.GetResponseAsync("q");

        Assert.Equal(2, _inner.Calls);
        Assert.Null(client.GetService<SemanticCachingChatClient>());
    }

    [Fact]
    public void AddSemanticCache_InvalidOptions_FailsAtStartup()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddSemanticCache(o => o.MaxEntries = -5);
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<SemanticCacheOptions>>().Value);
        Assert.Contains("MaxEntries", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseSemanticCache_Standalone_Works()
    {
        using var client = new ChatClientBuilder(_inner).UseSemanticCache(o => o.EnableSemanticTier = false).Build();

        await client.GetResponseAsync("q");
        await client.GetResponseAsync("q");

        Assert.Equal(1, _inner.Calls);
    }
}
