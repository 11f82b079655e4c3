using System.Net;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace LlmOps.Tests.Testing;

public class ScriptedChatClientTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task GetResponseAsync_MatchingRule_ReturnsItsText()
    {
        var client = new ScriptedChatClient()
            .WhenLastUserMessageContains("capital of France", "Paris.")
            .Otherwise("I don't know.");

        var hit = await client.GetResponseAsync("What is the CAPITAL of france?");
        var miss = await client.GetResponseAsync("What is the capital of Peru?");

        Assert.Equal("Paris.", hit.Text);
        Assert.Equal("I don't know.", miss.Text);
        Assert.Equal(ChatFinishReason.Stop, hit.FinishReason);
        Assert.Equal(ScriptedChatClient.DefaultModelId, hit.ModelId);
    }

    [Fact]
    public async Task GetResponseAsync_SeveralRulesMatch_FirstAddedWins()
    {
        var client = new ScriptedChatClient()
            .WhenLastUserMessageContains("weather", "first")
            .WhenLastUserMessageContains("weather today", "second")
            .When((_, _) => true, ScriptedResponse.FromText("third"));

        var response = await client.GetResponseAsync("weather today?");

        Assert.Equal("first", response.Text);
    }

    [Fact]
    public async Task WhenLastUserMessageContains_OnlyEarlierUserMessageMatches_DoesNotMatch()
    {
        var client = new ScriptedChatClient().WhenLastUserMessageContains("apple", "fruit").Otherwise("other");
        List<ChatMessage> messages =
        [
            new(ChatRole.User, "apple"),
            new(ChatRole.Assistant, "fruit"),
            new(ChatRole.User, "and a car?"),
        ];

        var response = await client.GetResponseAsync(messages);

        Assert.Equal("other", response.Text);
    }

    [Fact]
    public async Task When_PredicateOnOptions_MatchesOnModelAndTemperature()
    {
        var client = new ScriptedChatClient()
            .WhenModelIs("large", ScriptedResponse.FromText("big answer"))
            .When((_, o) => o?.Temperature == 0f, ScriptedResponse.FromText("cold"), "temperature is 0")
            .Otherwise("small answer");

        var large = await client.GetResponseAsync("q", new ChatOptions { ModelId = "large" });
        var cold = await client.GetResponseAsync("q", new ChatOptions { Temperature = 0f });
        var small = await client.GetResponseAsync("q", new ChatOptions { ModelId = "small" });

        Assert.Equal("big answer", large.Text);
        Assert.Equal("large", large.ModelId);
        Assert.Equal("cold", cold.Text);
        Assert.Equal("small answer", small.Text);
        Assert.Equal("small", small.ModelId);
    }

    [Fact]
    public async Task When_Responder_ComputesAnswerFromRequest()
    {
        var client = new ScriptedChatClient()
            .When((_, _) => true, (m, _) => ScriptedResponse.FromText("echo: " + m[^1].Text), "echo");

        var response = await client.GetResponseAsync("hi");

        Assert.Equal("echo: hi", response.Text);
    }

    [Fact]
    public async Task GetResponseAsync_NoRuleMatches_ThrowsListingRulesAndMessage()
    {
        var client = new ScriptedChatClient()
            .WhenLastUserMessageContains("alpha", "a")
            .When((_, _) => false, ScriptedResponse.FromText("b"), "never matches");

        var ex = await Assert.ThrowsAsync<ScriptedChatClientException>(
            () => client.GetResponseAsync("something about " + new string('x', 500)));

        Assert.Contains("last user message contains \"alpha\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("never matches", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"something about x", ex.Message, StringComparison.Ordinal);
        Assert.Contains("call #1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Otherwise", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', 300), ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, client.CallCount);
        Assert.Equal(["last user message contains \"alpha\"", "never matches"], client.RuleDescriptions);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_NoRuleMatches_Throws()
    {
        var client = new ScriptedChatClient();

        var ex = await Assert.ThrowsAsync<ScriptedChatClientException>(() => client.GetStreamingResponseAsync("hi").ToChatResponseAsync());

        Assert.Contains("no rules", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ChunkedByWords_StreamsWordChunksThenUsage()
    {
        var client = new ScriptedChatClient()
            .Otherwise(ScriptedResponse.FromText("The quick  brown fox").ChunkedByWords().WithUsage(3, 4));

        var updates = await ToListAsync(client.GetStreamingResponseAsync("go"));

        Assert.Equal(["The", " quick", "  brown", " fox", ""], updates.Select(u => u.Text));
        var usage = Assert.IsType<UsageContent>(Assert.Single(updates[^1].Contents));
        Assert.Equal(3, usage.Details.InputTokenCount);
        Assert.Equal(4, usage.Details.OutputTokenCount);
        Assert.Equal(7, usage.Details.TotalTokenCount);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Theory]
    [InlineData(2, new[] { "The quick", " brown fox", " jumps" })]
    [InlineData(3, new[] { "The quick brown", " fox jumps" })]
    [InlineData(10, new[] { "The quick brown fox jumps" })]
    public void GetChunks_ByWordGroups_SplitsAndConcatenatesBack(int words, string[] expected)
    {
        var chunks = ScriptedResponse.FromText("The quick brown fox jumps").ChunkedByWords(words).GetChunks();

        Assert.Equal(expected, chunks);
    }

    [Fact]
    public void GetChunks_ByCharacters_NeverSplitsSurrogatePair()
    {
        var chunks = ScriptedResponse.FromText("ab😀cd").ChunkedByCharacters(3).GetChunks();

        Assert.Equal(["ab😀", "cd"], chunks);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ExplicitChunks_StreamedAsGiven()
    {
        var client = new ScriptedChatClient().Otherwise(ScriptedResponse.FromChunks("{\"a\":", " 1", "}").WithoutUsage());

        var updates = await ToListAsync(client.GetStreamingResponseAsync("json"));

        Assert.Equal(["{\"a\":", " 1", "}"], updates.Select(u => u.Text));
        Assert.DoesNotContain(updates, u => u.Contents.OfType<UsageContent>().Any());
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Usage_NotGiven_CountedWithO200kTokenizer(bool streaming)
    {
        var client = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("Hello world! How are you today?").ChunkedByWords());

        var response = await GetAsync(client, [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hello there")], null, streaming);

        // o200k_base: "Be brief." = 3, "Hello there" = 2, "Hello world! How are you today?" = 8.
        Assert.Equal(5, response.Usage?.InputTokenCount);
        Assert.Equal(8, response.Usage?.OutputTokenCount);
        Assert.Equal(13, response.Usage?.TotalTokenCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Usage_WithoutUsage_ReportsNone(bool streaming)
    {
        var client = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("x").WithoutUsage());

        var response = await GetAsync(client, [new(ChatRole.User, "q")], null, streaming);

        Assert.Null(response.Usage);
        Assert.Equal("x", response.Text);
    }

    [Fact]
    public async Task Usage_WithoutStreamingUsage_OnlyNonStreamingReportsIt()
    {
        var client = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("a b").ChunkedByWords().WithUsage(4, 2).WithoutStreamingUsage());

        var plain = await client.GetResponseAsync("q");
        var updates = await ToListAsync(client.GetStreamingResponseAsync("q"));

        Assert.Equal(2, plain.Usage?.OutputTokenCount);
        Assert.Equal(["a", " b"], updates.Select(u => u.Text));
        Assert.DoesNotContain(updates, u => u.Contents.OfType<UsageContent>().Any());
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Response_StreamingAndNot_Agree(bool streaming)
    {
        var client = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("one two three four")
            .ChunkedByWords(3).WithModelId("m-1").WithFinishReason(ChatFinishReason.Length));

        var response = await GetAsync(client, [new(ChatRole.User, "count")], null, streaming);

        Assert.Equal("one two three four", response.Text);
        Assert.Equal("m-1", response.ModelId);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(4, response.Usage?.OutputTokenCount);
        Assert.Equal("scripted-1", response.ResponseId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Latency_AdvanceTime_MovesFakeClockByTotalLatency(bool streaming)
    {
        var time = new FakeTimeProvider(Start);
        var client = new ScriptedChatClient(time, time.Advance)
            .Otherwise(ScriptedResponse.FromText("a b c").ChunkedByWords()
                .WithLatency(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(50)));

        await GetAsync(client, [new(ChatRole.User, "q")], null, streaming);

        Assert.Equal(Start + TimeSpan.FromMilliseconds(400), time.GetUtcNow());
    }

    [Fact]
    public async Task Latency_AdvanceTime_FirstChunkArrivesAfterFirstChunkLatency()
    {
        var time = new FakeTimeProvider(Start);
        var client = new ScriptedChatClient(time, time.Advance)
            .Otherwise(ScriptedResponse.FromText("a b").ChunkedByWords()
                .WithLatency(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(50)));
        var seen = new List<TimeSpan>();

        await foreach (var update in client.GetStreamingResponseAsync("q"))
        {
            seen.Add(time.GetUtcNow() - Start);
        }

        Assert.Equal([TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(350), TimeSpan.FromMilliseconds(350)], seen);
    }

    [Fact]
    public async Task Latency_DelayOnTimeProvider_WaitsUntilClockAdvanced()
    {
        var time = new FakeTimeProvider(Start);
        var client = new ScriptedChatClient(time)
            .Otherwise(ScriptedResponse.FromText("done").WithLatency(TimeSpan.FromSeconds(2)));

        var task = client.GetResponseAsync("q");
        Assert.False(task.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(task.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        var response = await task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("done", response.Text);
    }

    [Fact]
    public async Task FailOnCall_ThrowsOnThatCallOnly()
    {
        var client = new ScriptedChatClient().Otherwise("ok").FailOnCall(2, ScriptedFault.RateLimit());

        var first = await client.GetResponseAsync("q");
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStreamingResponseAsync("q").ToChatResponseAsync());
        var third = await client.GetResponseAsync("q");

        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal("ok", first.Text);
        Assert.Equal("ok", third.Text);
        Assert.Equal(3, client.CallCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Failure_RateLimitedAndTimedOut_ThrowProviderLikeErrors(bool streaming)
    {
        var client = new ScriptedChatClient()
            .WhenLastUserMessageContains("busy", ScriptedResponse.RateLimited())
            .WhenLastUserMessageContains("slow", ScriptedResponse.TimedOut());

        var rate = await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(client, [new(ChatRole.User, "busy")], null, streaming));
        await Assert.ThrowsAsync<TimeoutException>(() => GetAsync(client, [new(ChatRole.User, "slow")], null, streaming));

        Assert.Equal(HttpStatusCode.TooManyRequests, rate.StatusCode);
    }

    [Fact]
    public async Task FaultAfterChunk_Streaming_DeliversKChunksThenThrows()
    {
        var client = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("a b c d").ChunkedByWords().FaultAfterChunk(2));
        var received = new List<string>();

        var ex = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("q"))
            {
                received.Add(update.Text);
            }
        });

        Assert.Equal(["a", " b"], received);
        Assert.Contains("2 chunk", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FaultAfterChunk_NonStreaming_Throws()
    {
        var client = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("a b").ChunkedByWords()
            .FaultAfterChunk(1, () => new InvalidDataException("boom")));

        await Assert.ThrowsAsync<InvalidDataException>(() => client.GetResponseAsync("q"));
    }

    [Fact]
    public async Task Requests_RecordSnapshotsOfMessagesAndOptions()
    {
        var client = new ScriptedChatClient().Otherwise("ok");
        List<ChatMessage> messages = [new(ChatRole.User, "first")];
        var options = new ChatOptions { ModelId = "m", AdditionalProperties = new() { ["k"] = "v" } };

        await client.GetResponseAsync(messages, options);
        messages.Add(new(ChatRole.User, "later"));
        options.ModelId = "changed";
        options.AdditionalProperties["k"] = "changed";
        await client.GetStreamingResponseAsync("second").ToChatResponseAsync();

        var requests = client.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal("first", Assert.Single(requests[0].Messages).Text);
        Assert.Equal("m", requests[0].Options?.ModelId);
        Assert.Equal("v", requests[0].Options?.AdditionalProperties?["k"]);
        Assert.False(requests[0].IsStreaming);
        Assert.True(requests[1].IsStreaming);
        Assert.Equal("second", requests[1].LastUserText);
        Assert.Equal([1, 2], requests.Select(r => r.CallNumber));
    }

    [Fact]
    public async Task GetResponseAsync_AlreadyCancelled_ThrowsWithoutCounting()
    {
        var client = new ScriptedChatClient().Otherwise("ok");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("q", cancellationToken: cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetStreamingResponseAsync("q", cancellationToken: cts.Token).ToChatResponseAsync());

        Assert.Equal(0, client.CallCount);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledBetweenChunks_StopsStreaming()
    {
        var client = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("a b c d").ChunkedByWords());
        using var cts = new CancellationTokenSource();
        var received = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("q", cancellationToken: cts.Token))
            {
                received.Add(update.Text);
                await cts.CancelAsync();
            }
        });

        Assert.Equal(["a"], received);
    }

    [Fact]
    public async Task GetResponseAsync_CancelledDuringLatency_Throws()
    {
        var time = new FakeTimeProvider(Start);
        var client = new ScriptedChatClient(time).Otherwise(ScriptedResponse.FromText("x").WithLatency(TimeSpan.FromMinutes(1)));
        using var cts = new CancellationTokenSource();

        var task = client.GetResponseAsync("q", cancellationToken: cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
    }

    [Fact]
    public async Task GetResponseAsync_ConcurrentCalls_AllAnsweredAndRecorded()
    {
        var client = new ScriptedChatClient()
            .When((m, _) => true, (m, _) => ScriptedResponse.FromText("re: " + m[^1].Text).ChunkedByWords().WithUsage(1, 1));

        var tasks = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var response = i % 2 == 0
                ? await client.GetResponseAsync($"q{i}")
                : await client.GetStreamingResponseAsync($"q{i}").ToChatResponseAsync();
            return (i, response.Text);
        }));
        var results = await Task.WhenAll(tasks);

        Assert.All(results, r => Assert.Equal($"re: q{r.i}", r.Text));
        Assert.Equal(200, client.CallCount);
        Assert.Equal(Enumerable.Range(1, 200), client.Requests.Select(r => r.CallNumber));
        Assert.Equal(200, client.Requests.Select(r => r.LastUserText).Distinct().Count());
    }

    [Fact]
    public void GetService_ReturnsSelfAndMetadata()
    {
        using var client = new ScriptedChatClient(defaultModelId: "fake-4o");

        var metadata = client.GetService<ChatClientMetadata>();

        Assert.Same(client, client.GetService<ScriptedChatClient>());
        Assert.Same(client, client.GetService<IChatClient>());
        Assert.Equal("scripted", metadata?.ProviderName);
        Assert.Equal("fake-4o", metadata?.DefaultModelId);
        Assert.Null(client.GetService<ScriptedChatClient>("key"));
        Assert.Null(client.GetService<string>());
    }

    [Fact]
    public void Arguments_Invalid_Throw()
    {
        var client = new ScriptedChatClient();

        Assert.Throws<ArgumentNullException>(() => client.When(null!, ScriptedResponse.FromText("x")));
        Assert.Throws<ArgumentException>(() => client.WhenLastUserMessageContains("", "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.FailOnCall(0, new InvalidOperationException()));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScriptedResponse.FromText("x").ChunkedByWords(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScriptedResponse.FromText("x").WithLatency(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ScriptedResponse.FromText("x").WithUsage(-1, 0));
        Assert.Throws<ArgumentNullException>(() => client.GetStreamingResponseAsync((IEnumerable<ChatMessage>)null!));
    }

    [Fact]
    public void ScriptedResponse_WithMethods_ReturnCopies()
    {
        var original = ScriptedResponse.FromText("a b");

        var changed = original.ChunkedByWords().WithModelId("m").WithUsage(1, 2);

        Assert.Equal(["a b"], original.GetChunks());
        Assert.Null(original.ModelId);
        Assert.Null(original.Usage);
        Assert.Equal(["a", " b"], changed.GetChunks());
        Assert.Equal("m", changed.ModelId);
    }

    [Fact]
    public async Task Latency_DelayOnTimeProvider_StreamWaitsBetweenChunks()
    {
        var time = new FakeTimeProvider(Start);
        var client = new ScriptedChatClient(time)
            .Otherwise(ScriptedResponse.FromText("a b").ChunkedByWords().WithoutUsage()
                .WithLatency(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));
        await using var stream = client.GetStreamingResponseAsync("q").GetAsyncEnumerator();

        var first = stream.MoveNextAsync().AsTask();
        Assert.False(first.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("a", stream.Current.Text);

        var second = stream.MoveNextAsync().AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await second.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(" b", stream.Current.Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Failure_WaitsFirstChunkLatencyBeforeThrowing(bool streaming)
    {
        var time = new FakeTimeProvider(Start);
        var client = new ScriptedChatClient(time, time.Advance)
            .Otherwise(ScriptedResponse.RateLimited().WithLatency(TimeSpan.FromMilliseconds(250)));

        await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(client, [new(ChatRole.User, "q")], null, streaming));

        Assert.Equal(Start + TimeSpan.FromMilliseconds(250), time.GetUtcNow());
    }

    [Fact]
    public async Task FaultAfterChunk_Zero_ThrowsBeforeFirstChunk()
    {
        var client = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("a b").ChunkedByWords().FaultAfterChunk(0));
        var received = 0;

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("q"))
            {
                received++;
            }
        });

        Assert.Equal(0, received);
    }

    [Fact]
    public async Task FaultAfterChunk_AfterLastChunk_StreamsAllTextThenThrowsWithoutUsage()
    {
        var client = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("a b").ChunkedByWords().FaultAfterChunk(2));
        var received = new List<ChatResponseUpdate>();

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("q"))
            {
                received.Add(update);
            }
        });

        Assert.Equal(["a", " b"], received.Select(u => u.Text));
        Assert.DoesNotContain(received, u => u.FinishReason is not null || u.Contents.OfType<UsageContent>().Any());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Response_EmptyText_ReturnsEmptyWithFinishReason(bool streaming)
    {
        var client = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText(string.Empty).WithoutUsage());

        var response = await GetAsync(client, [new(ChatRole.User, "q")], null, streaming);

        Assert.Equal(string.Empty, response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_AnyCall_LeavesCallerMessagesAndOptionsUnchanged(bool streaming)
    {
        var client = new ScriptedChatClient().Otherwise(ScriptedResponse.FromText("a b").ChunkedByWords());
        List<ChatMessage> messages = [new(ChatRole.User, "q")];
        var options = new ChatOptions { ModelId = "m", AdditionalProperties = new() { ["k"] = 1 } };

        await GetAsync(client, messages, options, streaming);

        Assert.Single(messages);
        Assert.Equal("m", options.ModelId);
        Assert.Equal(["k"], options.AdditionalProperties.Keys);
    }

    private static async Task<ChatResponse> GetAsync(ScriptedChatClient client, List<ChatMessage> messages, ChatOptions? options, bool streaming)
        => streaming
            ? await client.GetStreamingResponseAsync(messages, options).ToChatResponseAsync()
            : await client.GetResponseAsync(messages, options);

    private static async Task<List<ChatResponseUpdate>> ToListAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var list = new List<ChatResponseUpdate>();
        await foreach (var update in updates)
        {
            list.Add(update);
        }

        return list;
    }
}
