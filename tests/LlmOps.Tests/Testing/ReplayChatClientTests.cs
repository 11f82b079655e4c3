using System.Text.Json;
using LlmOps.Testing;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Testing;

public sealed class ReplayChatClientTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "llmops-replay-" + Guid.NewGuid().ToString("N"));

    public ReplayChatClientTests() => Directory.CreateDirectory(_directory);

    private string CassettePath => Path.Combine(_directory, "cassette.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RoundTrip_RecordThenReplayWithoutInnerClient_ReturnsRecordedAnswer(bool streaming)
    {
        var real = new ScriptedChatClient()
            .Otherwise(ScriptedResponse.FromText("Paris is the capital.").ChunkedByWords().WithUsage(7, 5).WithModelId("gpt-x"));
        using (var recorder = Replay(real, ReplayMode.Record))
        {
            var recorded = await GetAsync(recorder, "Capital of France?", streaming);
            Assert.Equal("Paris is the capital.", recorded.Text);
        }

        using var player = Replay(null, ReplayMode.Replay);
        var replayed = await GetAsync(player, "Capital of France?", streaming);
        var replayedOtherPath = await GetAsync(player, "Capital of France?", !streaming);

        Assert.Equal(1, real.CallCount);
        foreach (var response in new[] { replayed, replayedOtherPath })
        {
            Assert.Equal("Paris is the capital.", response.Text);
            Assert.Equal("gpt-x", response.ModelId);
            Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
            Assert.Equal(7, response.Usage?.InputTokenCount);
            Assert.Equal(5, response.Usage?.OutputTokenCount);
            Assert.Equal(12, response.Usage?.TotalTokenCount);
        }
    }

    [Fact]
    public async Task GetStreamingResponseAsync_RecordedStream_ReplaysSameChunks()
    {
        var real = new ScriptedChatClient().Otherwise(ScriptedResponse.FromChunks("Hel", "lo ", "world").WithUsage(1, 3));
        using (var recorder = Replay(real, ReplayMode.Record))
        {
            await recorder.GetStreamingResponseAsync("hi").ToChatResponseAsync();
        }

        using var player = Replay(null, ReplayMode.Replay);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in player.GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        Assert.Equal(["Hel", "lo ", "world", ""], updates.Select(u => u.Text));
        var usage = Assert.IsType<UsageContent>(Assert.Single(updates[^1].Contents));
        Assert.Equal(3, usage.Details.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Fact]
    public async Task GetResponseAsync_MissingRequest_ThrowsNamingKeyAndCassette()
    {
        var real = new ScriptedChatClient().Otherwise("recorded");
        using (var recorder = Replay(real, ReplayMode.Record))
        {
            await recorder.GetResponseAsync("known");
        }

        using var player = Replay(null, ReplayMode.Replay);
        var ex = await Assert.ThrowsAsync<CassetteEntryNotFoundException>(() => player.GetResponseAsync("unknown question"));

        var expectedKey = ReplayChatClient.ComputeRequestKey([new ChatMessage(ChatRole.User, "unknown question")]);
        Assert.Equal(expectedKey, ex.RequestKey);
        Assert.Contains(expectedKey, ex.Message, StringComparison.Ordinal);
        Assert.Contains(CassettePath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"unknown question\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RecordMissing", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<CassetteEntryNotFoundException>(() => player.GetStreamingResponseAsync("unknown question").ToChatResponseAsync());
    }

    [Fact]
    public async Task GetResponseAsync_MissingCassetteFile_SaysFileDoesNotExist()
    {
        using var player = Replay(null, ReplayMode.Replay);

        var ex = await Assert.ThrowsAsync<CassetteEntryNotFoundException>(() => player.GetResponseAsync("q"));

        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(CassettePath));
    }

    [Fact]
    public async Task Replay_PassThroughMissing_CallsInnerWithoutRecording()
    {
        var real = new ScriptedChatClient().Otherwise("live answer");
        using var client = new ReplayChatClient(real, new ReplayChatClientOptions { CassettePath = CassettePath, PassThroughMissing = true });

        var response = await client.GetResponseAsync("q");
        var streamed = await client.GetStreamingResponseAsync("q").ToChatResponseAsync();

        Assert.Equal("live answer", response.Text);
        Assert.Equal("live answer", streamed.Text);
        Assert.Equal(2, real.CallCount);
        Assert.False(File.Exists(CassettePath));
        Assert.Equal(0, client.RecordedCount);
    }

    [Fact]
    public async Task RecordMissing_KnownRequestReplayed_UnknownRecorded()
    {
        var real = new ScriptedChatClient().When((_, _) => true, (m, _) => ScriptedResponse.FromText("answer to " + m[^1].Text));
        using var client = Replay(real, ReplayMode.RecordMissing);

        await client.GetResponseAsync("a");
        var again = await client.GetResponseAsync("a");
        await client.GetStreamingResponseAsync("b").ToChatResponseAsync();

        Assert.Equal("answer to a", again.Text);
        Assert.Equal(2, real.CallCount);
        Assert.Equal(2, client.RecordedCount);
        using var reloaded = Replay(null, ReplayMode.Replay);
        Assert.Equal(2, reloaded.RecordedCount);
    }

    [Fact]
    public async Task Record_SameRequestAgain_ReplacesAnswer()
    {
        var real = new ScriptedChatClient().Otherwise("v1").FailOnCall(99, new InvalidOperationException());
        using (var recorder = Replay(real, ReplayMode.Record))
        {
            await recorder.GetResponseAsync("q");
        }

        var real2 = new ScriptedChatClient().Otherwise("v2");
        using (var recorder = Replay(real2, ReplayMode.Record))
        {
            await recorder.GetResponseAsync("q");
        }

        using var player = Replay(null, ReplayMode.Replay);
        Assert.Equal("v2", (await player.GetResponseAsync("q")).Text);
        Assert.Equal(1, player.RecordedCount);
    }

    [Fact]
    public void ComputeRequestKey_DependsOnSettingsButNotOnAdditionalProperties()
    {
        List<ChatMessage> messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")];
        var baseKey = ReplayChatClient.ComputeRequestKey(messages, new ChatOptions { ModelId = "m", Temperature = 0.2f });

        Assert.Matches("^[0-9a-f]{64}$", baseKey);
        Assert.Equal(baseKey, ReplayChatClient.ComputeRequestKey(messages, new ChatOptions
        {
            ModelId = "m",
            Temperature = 0.2f,
            AdditionalProperties = new() { ["trace"] = Guid.NewGuid() },
        }));
        Assert.NotEqual(baseKey, ReplayChatClient.ComputeRequestKey(messages, new ChatOptions { ModelId = "m", Temperature = 0.3f }));
        Assert.NotEqual(baseKey, ReplayChatClient.ComputeRequestKey(messages, new ChatOptions { ModelId = "n", Temperature = 0.2f }));
        Assert.NotEqual(baseKey, ReplayChatClient.ComputeRequestKey(messages, new ChatOptions { ModelId = "m", Temperature = 0.2f, MaxOutputTokens = 10 }));
        Assert.NotEqual(baseKey, ReplayChatClient.ComputeRequestKey(messages, new ChatOptions { ModelId = "m", Temperature = 0.2f, ResponseFormat = ChatResponseFormat.Json }));
        Assert.NotEqual(baseKey, ReplayChatClient.ComputeRequestKey(
            [new(ChatRole.User, "Be brief."), new(ChatRole.User, "Hi")], new ChatOptions { ModelId = "m", Temperature = 0.2f }));
    }

    [Fact]
    public void ComputeRequestKey_DifferentAttachmentsOrToolResults_Differ()
    {
        ChatMessage WithImage(byte b) => new(ChatRole.User, [new TextContent("what is this?"), new DataContent(new byte[] { 1, 2, b }, "image/png")]);
        ChatMessage WithResult(string r) => new(ChatRole.Tool, [new FunctionResultContent("c1", r)]);

        Assert.Equal(ReplayChatClient.ComputeRequestKey([WithImage(3)]), ReplayChatClient.ComputeRequestKey([WithImage(3)]));
        Assert.NotEqual(ReplayChatClient.ComputeRequestKey([WithImage(3)]), ReplayChatClient.ComputeRequestKey([WithImage(4)]));
        Assert.NotEqual(ReplayChatClient.ComputeRequestKey([WithResult("sunny")]), ReplayChatClient.ComputeRequestKey([WithResult("rain")]));
    }

    [Fact]
    public async Task Record_Written_CassetteIsReadableJsonWithVersionAndRequest()
    {
        var real = new ScriptedChatClient().Otherwise("ok");
        using (var recorder = Replay(real, ReplayMode.Record))
        {
            await recorder.GetResponseAsync("hello", new ChatOptions { ModelId = "m1" });
        }

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(CassettePath));
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        var entry = Assert.Single(root.GetProperty("entries").EnumerateArray());
        Assert.Equal("m1", entry.GetProperty("request").GetProperty("model").GetString());
        Assert.Equal("hello", entry.GetProperty("request").GetProperty("messages")[0].GetProperty("text").GetString());
        Assert.Equal("ok", entry.GetProperty("response").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Record_WriteFailsBeforeCommit_ExistingCassetteIntactAndNoTempFiles()
    {
        var real = new ScriptedChatClient().When((_, _) => true, (m, _) => ScriptedResponse.FromText("answer " + m[^1].Text));
        using (var recorder = Replay(real, ReplayMode.Record))
        {
            await recorder.GetResponseAsync("first");
        }

        var before = await File.ReadAllBytesAsync(CassettePath);
        using (var recorder = Replay(real, ReplayMode.Record))
        {
            string? tempSeen = null;
            recorder.Cassette.BeforeCommit = temp =>
            {
                tempSeen = temp;
                throw new IOException("simulated crash before rename");
            };

            await Assert.ThrowsAsync<IOException>(() => recorder.GetResponseAsync("second"));
            Assert.NotNull(tempSeen);
            Assert.StartsWith(_directory, tempSeen, StringComparison.Ordinal);
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(CassettePath));
        Assert.Equal([CassettePath], Directory.GetFiles(_directory));
        using var player = Replay(null, ReplayMode.Replay);
        Assert.Equal("answer first", (await player.GetResponseAsync("first")).Text);
    }

    [Fact]
    public async Task Record_StreamFaultsOrIsAbandoned_NothingRecorded()
    {
        var real = new ScriptedChatClient()
            .WhenLastUserMessageContains("fault", ScriptedResponse.FromText("a b c").ChunkedByWords().FaultAfterChunk(1))
            .Otherwise(ScriptedResponse.FromText("a b c").ChunkedByWords());
        using var recorder = Replay(real, ReplayMode.Record);

        await Assert.ThrowsAsync<IOException>(() => recorder.GetStreamingResponseAsync("fault").ToChatResponseAsync());
        await foreach (var update in recorder.GetStreamingResponseAsync("break early"))
        {
            break;
        }

        Assert.Equal(0, recorder.RecordedCount);
        Assert.False(File.Exists(CassettePath));
    }

    [Fact]
    public async Task Record_ConcurrentCalls_AllEntriesWritten()
    {
        var real = new ScriptedChatClient().When((_, _) => true, (m, _) => ScriptedResponse.FromText("r " + m[^1].Text));
        using (var recorder = Replay(real, ReplayMode.Record))
        {
            await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => i % 2 == 0
                ? recorder.GetResponseAsync($"q{i}")
                : recorder.GetStreamingResponseAsync($"q{i}").ToChatResponseAsync())));
        }

        using var player = Replay(null, ReplayMode.Replay);
        Assert.Equal(40, player.RecordedCount);
        Assert.Equal("r q17", (await player.GetResponseAsync("q17")).Text);
        Assert.Equal([CassettePath], Directory.GetFiles(_directory));
    }

    [Theory]
    [InlineData("", "not valid cassette JSON")]
    [InlineData("{\"version\": 1, \"entries\": [{\"key\": \"abc\", \"resp", "not valid cassette JSON")]
    [InlineData("{\"version\": 2, \"entries\": []}", "version 2")]
    [InlineData("{\"entries\": []}", "no 'version'")]
    [InlineData("{\"version\": 1, \"entries\": [{\"response\": {\"text\": \"x\"}}]}", "entry #1 has no 'key'")]
    [InlineData("{\"version\": 1, \"entries\": [{\"key\": \"k\"}]}", "entry #1 (key k) has no 'response'")]
    [InlineData("null", "'null'")]
    public async Task Constructor_CorruptCassette_ThrowsCassetteFormatException(string content, string expected)
    {
        await File.WriteAllTextAsync(CassettePath, content);

        var ex = Assert.Throws<CassetteFormatException>(() => Replay(null, ReplayMode.Replay));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains(CassettePath, ex.Message, StringComparison.Ordinal);
        Assert.Equal(CassettePath, ex.CassettePath);
    }

    [Fact]
    public async Task Constructor_CorruptCassetteInRecordMode_ThrowsAndLeavesFileAlone()
    {
        await File.WriteAllTextAsync(CassettePath, "{ broken");

        Assert.Throws<CassetteFormatException>(() => Replay(new ScriptedChatClient().Otherwise("x"), ReplayMode.RecordMissing));

        Assert.Equal("{ broken", await File.ReadAllTextAsync(CassettePath));
    }

    [Fact]
    public void Constructor_InvalidOptions_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new ReplayChatClient(null, null!));
        var ex = Assert.Throws<ArgumentException>(() => new ReplayChatClient(null, new ReplayChatClientOptions()));
        Assert.Contains("CassettePath", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ReplayChatClient(null, new ReplayChatClientOptions { CassettePath = CassettePath, Mode = ReplayMode.Record }));
        Assert.Throws<ArgumentException>(() => new ReplayChatClient(null, new ReplayChatClientOptions { CassettePath = CassettePath, PassThroughMissing = true }));
        Assert.Throws<ArgumentException>(() => new ReplayChatClient(null, new ReplayChatClientOptions { CassettePath = CassettePath, Mode = (ReplayMode)42 }));
    }

    [Fact]
    public async Task GetResponseAsync_Cancelled_Throws()
    {
        using var client = Replay(new ScriptedChatClient().Otherwise("x"), ReplayMode.RecordMissing);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("q", cancellationToken: cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetStreamingResponseAsync("q", cancellationToken: cts.Token).ToChatResponseAsync());
        Assert.Equal(0, client.RecordedCount);
    }

    [Fact]
    public void GetService_ReturnsSelfThenInner()
    {
        var real = new ScriptedChatClient();
        using var client = Replay(real, ReplayMode.RecordMissing);

        Assert.Same(client, client.GetService<ReplayChatClient>());
        Assert.Same(real, client.GetService<ScriptedChatClient>());
        Assert.Equal("scripted", client.GetService<ChatClientMetadata>()?.ProviderName);
    }

    [Fact]
    public async Task UseReplay_InBuilder_RecordsThenReplays()
    {
        var real = new ScriptedChatClient().Otherwise("built");
        using (var recorder = new ChatClientBuilder(real).UseReplay(CassettePath, ReplayMode.RecordMissing).Build())
        {
            await recorder.GetResponseAsync("q");
        }

        var offline = new ScriptedChatClient(); // has no rules: any call to it would throw
        using var player = new ChatClientBuilder(offline).UseReplay(CassettePath).Build();

        Assert.Equal("built", (await player.GetResponseAsync("q")).Text);
        Assert.Equal(0, offline.CallCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Record_TokenForwardedToInner_CancelledCallNotRecorded(bool streaming)
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var real = new ScriptedChatClient(time).Otherwise(ScriptedResponse.FromText("slow").WithLatency(TimeSpan.FromMinutes(1)));
        using var client = Replay(real, ReplayMode.RecordMissing);
        using var cts = new CancellationTokenSource();

        var task = streaming
            ? client.GetStreamingResponseAsync("q", cancellationToken: cts.Token).ToChatResponseAsync()
            : client.GetResponseAsync("q", cancellationToken: cts.Token);
        Assert.False(task.IsCompleted);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, client.RecordedCount);
        Assert.False(File.Exists(CassettePath));
    }

    [Fact]
    public async Task Replay_RequestOptionsDiffer_IsAMiss()
    {
        var real = new ScriptedChatClient().Otherwise("x");
        using (var recorder = Replay(real, ReplayMode.Record))
        {
            await recorder.GetResponseAsync("q", new ChatOptions { Temperature = 0 });
        }

        using var player = Replay(null, ReplayMode.Replay);

        Assert.Equal("x", (await player.GetResponseAsync("q", new ChatOptions { Temperature = 0 })).Text);
        await Assert.ThrowsAsync<CassetteEntryNotFoundException>(() => player.GetResponseAsync("q", new ChatOptions { Temperature = 1 }));
    }

    private ReplayChatClient Replay(IChatClient? inner, ReplayMode mode)
        => new(inner, new ReplayChatClientOptions { CassettePath = CassettePath, Mode = mode });

    private static async Task<ChatResponse> GetAsync(IChatClient client, string question, bool streaming)
        => streaming
            ? await client.GetStreamingResponseAsync(question).ToChatResponseAsync()
            : await client.GetResponseAsync(question);
}
