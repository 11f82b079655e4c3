using System.Diagnostics;
using System.Runtime.CompilerServices;
using LlmOps.Telemetry;
using LlmOps.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Tests.Telemetry;

public sealed class InstrumentingChatClientTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly LlmOpsTelemetry _telemetry = new();
    private readonly MetricRecorder _metrics;
    private readonly DelegatingTestChatClient _inner = new();

    public InstrumentingChatClientTests()
    {
        _metrics = new MetricRecorder(_telemetry.Meter);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _telemetry.Dispose();
    }

    [Fact]
    public void Constructor_NullInner_Throws()
        => Assert.Throws<ArgumentNullException>("innerClient", () => new InstrumentingChatClient(null!));

    [Fact]
    public async Task GetResponseAsync_NullMessages_Throws()
    {
        using var client = Create();
        await Assert.ThrowsAsync<ArgumentNullException>("messages", () => client.GetResponseAsync((IEnumerable<ChatMessage>)null!));
        Assert.Throws<ArgumentNullException>("messages", () => client.GetStreamingResponseAsync((IEnumerable<ChatMessage>)null!));
    }

    [Fact]
    public async Task GetResponseAsync_Success_RecordsDurationTokensTtftAndThroughput()
    {
        _inner.OnGetResponse = (_, _, _) =>
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "answer"))
            {
                ModelId = "model-a",
                Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 20 },
            });
        };
        using var client = Create();

        await client.GetResponseAsync("hi", new ChatOptions { ModelId = "model-a" });

        Assert.Equal(2.0, _metrics.Single("gen_ai.client.operation.duration").Value, 6);
        Assert.Equal(2.0, _metrics.Single("llmops.client.time_to_first_token").Value, 6);
        var usage = _metrics.Of("gen_ai.client.token.usage");
        Assert.Equal(10, usage.Single(m => (string?)m.Tag("gen_ai.token.type") == "input").Value);
        Assert.Equal(20, usage.Single(m => (string?)m.Tag("gen_ai.token.type") == "output").Value);
        Assert.Equal(10.0, _metrics.Single("llmops.client.output_tokens_per_second").Value, 6);
        var request = _metrics.Single("llmops.client.requests");
        Assert.Equal("success", request.Tag("llmops.outcome"));
        Assert.Equal("model-a", request.Tag("gen_ai.response.model"));
        Assert.Equal(false, request.Tag("llmops.streaming"));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Success_TtftIsFirstContentChunkAndThroughputUsesTimeAfterIt()
    {
        _inner.OnGetStreamingResponse = (_, _, ct) => Stream(ct, firstDelay: 0.5, chunkDelay: 0.5, chunks: 4, outputTokens: 30);
        using var client = Create();

        var text = string.Concat(await ToListAsync(client.GetStreamingResponseAsync("hi")).ContinueWith(t => t.Result.Select(u => u.Text)));

        Assert.Equal("c0c1c2c3", text);
        Assert.Equal(2.0, _metrics.Single("gen_ai.client.operation.duration").Value, 6);
        Assert.Equal(0.5, _metrics.Single("llmops.client.time_to_first_token").Value, 6);
        Assert.Equal(20.0, _metrics.Single("llmops.client.output_tokens_per_second").Value, 6); // 30 tokens / 1.5 s
        Assert.Equal(30, _metrics.Of("gen_ai.client.token.usage").Single(m => (string?)m.Tag("gen_ai.token.type") == "output").Value);
        Assert.Equal("success", _metrics.Single("llmops.client.requests").Tag("llmops.outcome"));
        Assert.Equal(true, _metrics.Single("llmops.client.requests").Tag("llmops.streaming"));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_UsageInPieces_SumsThem()
    {
        _inner.OnGetStreamingResponse = (_, _, ct) => Pieces(ct);
        using var client = Create();

        await ToListAsync(client.GetStreamingResponseAsync("hi"));

        var usage = _metrics.Of("gen_ai.client.token.usage");
        Assert.Equal(7, usage.Single(m => (string?)m.Tag("gen_ai.token.type") == "input").Value);
        Assert.Equal(5, usage.Single(m => (string?)m.Tag("gen_ai.token.type") == "output").Value);

        static async IAsyncEnumerable<ChatResponseUpdate> Pieces([EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "a") { Contents = { new UsageContent(new UsageDetails { InputTokenCount = 7 }) } };
            yield return new ChatResponseUpdate(ChatRole.Assistant, "b");
            yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { OutputTokenCount = 2 })] };
            yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { OutputTokenCount = 3 })] };
        }
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledMidStream_RecordsCancelledOutcomeAndDuration()
    {
        using var cts = new CancellationTokenSource();
        _inner.OnGetStreamingResponse = (_, _, ct) => Stream(ct, firstDelay: 1, chunkDelay: 1, chunks: 5, outputTokens: 9);
        using var client = Create();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi", cancellationToken: cts.Token))
            {
                if (update.Text == "c1")
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.Equal("cancelled", _metrics.Single("llmops.client.requests").Tag("llmops.outcome"));
        Assert.Equal(2.0, _metrics.Single("gen_ai.client.operation.duration").Value, 6);
        Assert.Equal(1.0, _metrics.Single("llmops.client.time_to_first_token").Value, 6);
        Assert.Empty(_metrics.Of("llmops.client.output_tokens_per_second"));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_FaultMidStream_RecordsErrorOutcomeWithType()
    {
        _inner.OnGetStreamingResponse = (_, _, ct) => Faulting(ct);
        using var client = Create();

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => ToListAsync(client.GetStreamingResponseAsync("hi")));

        Assert.Equal("boom", ex.Message);
        var request = _metrics.Single("llmops.client.requests");
        Assert.Equal("error", request.Tag("llmops.outcome"));
        Assert.Equal(typeof(InvalidDataException).FullName, request.Tag("error.type"));

        static async IAsyncEnumerable<ChatResponseUpdate> Faulting([EnumeratorCancellation] CancellationToken ct)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "partial");
            throw new InvalidDataException("boom");
        }
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CallerBreaksEarly_RecordsCancelledAndDisposesInner()
    {
        var disposed = false;
        _inner.OnGetStreamingResponse = (_, _, ct) => Tracked(ct, () => disposed = true);
        using var client = Create();

        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            break;
        }

        Assert.True(disposed);
        Assert.Equal("cancelled", _metrics.Single("llmops.client.requests").Tag("llmops.outcome"));

        static async IAsyncEnumerable<ChatResponseUpdate> Tracked([EnumeratorCancellation] CancellationToken ct, Action onDispose)
        {
            try
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, "one");
                yield return new ChatResponseUpdate(ChatRole.Assistant, "two");
            }
            finally
            {
                onDispose();
            }
        }
    }

    [Fact]
    public async Task GetStreamingResponseAsync_InnerThrowsBeforeStreaming_RecordsErrorNotCancelled()
    {
        _inner.OnGetStreamingResponse = (_, _, _) => throw new HttpRequestException("connection refused");
        using var client = Create();

        await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync("hi"))
            {
            }
        });

        Assert.Equal("error", _metrics.Single("llmops.client.requests").Tag("llmops.outcome"));
    }

    [Fact]
    public async Task GetResponseAsync_InnerThrows_RecordsErrorAndRethrows()
    {
        _inner.OnGetResponse = (_, _, _) => throw new HttpRequestException("rate limited", null, System.Net.HttpStatusCode.TooManyRequests);
        using var client = Create();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync("hi"));

        Assert.Equal("error", _metrics.Single("llmops.client.requests").Tag("llmops.outcome"));
        Assert.Single(_metrics.Of("gen_ai.client.operation.duration"));
        Assert.Empty(_metrics.Of("llmops.client.time_to_first_token"));
    }

    [Fact]
    public async Task GetResponseAsync_Cancelled_RecordsCancelledOutcome()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        _inner.OnGetResponse = (_, _, ct) => Task.FromCanceled<ChatResponse>(ct);
        using var client = Create();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("hi", cancellationToken: cts.Token));

        Assert.Equal("cancelled", _metrics.Single("llmops.client.requests").Tag("llmops.outcome"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Requests_TagsAddedByInnerStages_AppearOnMetrics(bool streaming)
    {
        _inner.OnGetResponse = (_, options, _) =>
        {
            options.GetLlmOpsInfo()!.AddTag("llmops.prompt.name", "summarize");
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "x")));
        };
        _inner.OnGetStreamingResponse = (_, options, ct) =>
        {
            options.GetLlmOpsInfo()!.AddTag("llmops.prompt.name", "summarize");
            return Stream(ct, 0, 0, 1, 1);
        };
        using var client = Create();

        await Run(client, streaming, "hi");

        Assert.Equal("summarize", _metrics.Single("llmops.client.requests").Tag("llmops.prompt.name"));
        Assert.Equal("summarize", _metrics.Single("gen_ai.client.operation.duration").Tag("llmops.prompt.name"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Requests_ScopeIsNotATagUnlessOptedIn(bool optIn)
    {
        using var client = Create(new LlmOpsTelemetryOptions { IncludeScopeInTags = optIn });

        await client.GetResponseAsync("hi", new ChatOptions().WithScope("tenant-42", "user-7"));

        var tags = _metrics.Single("llmops.client.requests").Tags;
        Assert.Equal(optIn, tags.Values.Any(v => v as string == "tenant-42"));
        Assert.Equal(optIn, tags.Values.Any(v => v as string == "user-7"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Response_CarriesLlmOpsInfo_AndCallerOptionsAreUntouched(bool streaming)
    {
        var callerOptions = new ChatOptions { ModelId = "m", AdditionalProperties = new() { ["keep"] = 1 } };
        ChatOptions? seen = null;
        _inner.OnGetResponse = (_, o, _) =>
        {
            seen = o;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "x")));
        };
        _inner.OnGetStreamingResponse = (_, o, ct) =>
        {
            seen = o;
            return Stream(ct, 0, 0, 2, 1);
        };
        using var client = Create();

        var response = await Run(client, streaming, "hi", callerOptions);

        var info = response.GetLlmOpsInfo();
        Assert.NotNull(info);
        Assert.Same(info, seen.GetLlmOpsInfo());
        Assert.NotSame(callerOptions, seen);
        Assert.Single(callerOptions.AdditionalProperties!);
        Assert.Null(callerOptions.GetLlmOpsInfo());
        Assert.Equal("m", seen!.ModelId);
        Assert.Equal(1, seen.AdditionalProperties!["keep"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Streaming_AgreesWithNonStreaming_OnTextAndMetrics(bool streaming)
    {
        _inner.OnGetResponse = (_, _, _) =>
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "c0c1"))
            {
                Usage = new UsageDetails { InputTokenCount = 3, OutputTokenCount = 4 },
            });
        };
        _inner.OnGetStreamingResponse = (_, _, ct) => Stream(ct, 0.5, 0.5, 2, 4, inputTokens: 3);
        using var client = Create();

        var response = await Run(client, streaming, "hi");

        Assert.Equal("c0c1", response.Text);
        Assert.Equal(1.0, _metrics.Single("gen_ai.client.operation.duration").Value, 6);
        var usage = _metrics.Of("gen_ai.client.token.usage");
        Assert.Equal(3, usage.Single(m => (string?)m.Tag("gen_ai.token.type") == "input").Value);
        Assert.Equal(4, usage.Single(m => (string?)m.Tag("gen_ai.token.type") == "output").Value);
    }

    [Fact]
    public async Task GetResponseAsync_ForwardsCancellationToken()
    {
        using var cts = new CancellationTokenSource();
        using var client = Create();

        await client.GetResponseAsync("hi", cancellationToken: cts.Token);
        await ToListAsync(client.GetStreamingResponseAsync("hi", cancellationToken: cts.Token));

        Assert.All(_inner.Calls, c => Assert.Equal(cts.Token, c.Token));
    }

    [Fact]
    public void GetService_ReturnsSelfAndInner()
    {
        using var client = Create();
        Assert.Same(client, client.GetService<InstrumentingChatClient>());
        Assert.Same(_inner, client.GetService<DelegatingTestChatClient>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Activity_RecordsGenAiTags_AndNoContentUnlessSensitiveDataEnabled(bool sensitive)
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => ReferenceEquals(s, _telemetry.ActivitySource),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        _inner.OnGetResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "the answer"))
        {
            Usage = new UsageDetails { InputTokenCount = 2, OutputTokenCount = 3 },
        });
        using var client = Create(new LlmOpsTelemetryOptions { EnableSensitiveData = sensitive });

        await client.GetResponseAsync("secret question", new ChatOptions { ModelId = "model-a" });

        var activity = Assert.Single(activities);
        Assert.Equal("chat model-a", activity.DisplayName);
        Assert.Equal("model-a", activity.GetTagItem("gen_ai.request.model"));
        Assert.Equal(3L, activity.GetTagItem("gen_ai.usage.output_tokens"));
        var allText = string.Join("|", activity.TagObjects.Select(t => t.Value?.ToString()));
        Assert.Equal(sensitive, allText.Contains("secret question", StringComparison.Ordinal));
        Assert.Equal(sensitive, allText.Contains("the answer", StringComparison.Ordinal));
    }

    private InstrumentingChatClient Create(LlmOpsTelemetryOptions? options = null) => new(_inner, _telemetry, options, _time);

    private static async Task<ChatResponse> Run(IChatClient client, bool streaming, string prompt, ChatOptions? options = null)
        => streaming
            ? (await ToListAsync(client.GetStreamingResponseAsync(prompt, options))).ToChatResponse()
            : await client.GetResponseAsync(prompt, options);

    private static async Task<List<ChatResponseUpdate>> ToListAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var list = new List<ChatResponseUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> Stream(
        [EnumeratorCancellation] CancellationToken ct, double firstDelay, double chunkDelay, int chunks, long outputTokens, long? inputTokens = null)
    {
        for (var i = 0; i < chunks; i++)
        {
            await Task.Yield();
            ct.ThrowIfCancellationRequested();
            _time.Advance(TimeSpan.FromSeconds(i == 0 ? firstDelay : chunkDelay));
            yield return new ChatResponseUpdate(ChatRole.Assistant, $"c{i}");
        }

        yield return new ChatResponseUpdate
        {
            FinishReason = ChatFinishReason.Stop,
            Contents = [new UsageContent(new UsageDetails { InputTokenCount = inputTokens, OutputTokenCount = outputTokens })],
        };
    }
}
