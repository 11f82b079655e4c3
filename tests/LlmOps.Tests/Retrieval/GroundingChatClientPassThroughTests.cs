using LlmOps.Retrieval;
using LlmOps.Tests.Guardrails;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Retrieval;

/// <summary>
/// The grounding stage's pass-through (issue 16): nothing retrieved and the model answers anyway, or no question at all.
/// The request goes on as the caller wrote it, and the info still comes back on the answer.
/// </summary>
public sealed class GroundingChatClientPassThroughTests
{
    private readonly RecordingInnerClient _model = new();

    private static async Task<ChatResponse> AskAsync(IChatClient client, IEnumerable<ChatMessage> messages, bool streaming)
        => streaming
            ? await client.GetStreamingResponseAsync(messages).ToChatResponseAsync()
            : await client.GetResponseAsync(messages);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_NothingRetrievedAnswerWhenThin_AnswersUngroundedWithTheInfoAttached(bool streaming)
    {
        using var client = new GroundingChatClient(_model, new EmptyRetriever(), new GroundingOptions { AnswerWhenThin = true });
        List<ChatMessage> messages = [new(ChatRole.User, "What is the capital city of Mongolia?")];

        var response = await AskAsync(client, messages, streaming);

        Assert.Equal("ok", response.Text);
        var info = response.GetLlmOpsInfo();
        Assert.NotNull(info);
        var grounding = response.GetGrounding()!;
        Assert.True(grounding.Thin);
        Assert.False(grounding.Refused);
        Assert.Empty(grounding.Sources);
        Assert.Equal(0, grounding.DroppedSources);
        Assert.Equal(false, info.Tags[GroundingTelemetryNames.GroundedAttribute]);
        Assert.Equal(messages, Assert.Single(_model.Requests));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetResponseAsync_NoQuestion_StillAttachesTheInfoItCreated(bool streaming)
    {
        // Before the pass-through change, a request with no user question lost the info the stage had created.
        using var client = new GroundingChatClient(_model, new EmptyRetriever(), new GroundingOptions());

        var response = await AskAsync(client, [new(ChatRole.System, "Be brief.")], streaming);

        Assert.Equal("ok", response.Text);
        Assert.NotNull(response.GetLlmOpsInfo());
        Assert.Null(response.GetGrounding());
    }

    [Fact]
    public async Task GetResponseAsync_NothingRetrieved_HandsBackTheInnerAnswerItself()
    {
        var answer = new ChatResponse(new ChatMessage(ChatRole.Assistant, "fixed"));
        using var inner = new FixedAnswerClient(answer);
        using var client = new GroundingChatClient(inner, new EmptyRetriever(), new GroundingOptions { AnswerWhenThin = true });

        var response = await client.GetResponseAsync("What is the capital city of Mongolia?");

        Assert.Same(answer, response);
        Assert.NotNull(response.GetLlmOpsInfo());
    }

    [Fact]
    public async Task GetResponseAsync_NothingRetrievedOnManyRequests_EachGetsAnUngroundedResultAndItsOwnInfo()
    {
        using var client = new GroundingChatClient(_model, new EmptyRetriever(), new GroundingOptions { AnswerWhenThin = true });

        var first = await client.GetResponseAsync("What is the capital city of Mongolia?");
        var second = await client.GetResponseAsync("What is the capital city of Peru?");

        Assert.NotSame(first.GetLlmOpsInfo(), second.GetLlmOpsInfo());
        Assert.NotEqual(first.GetLlmOpsInfo()!.RequestId, second.GetLlmOpsInfo()!.RequestId);
        Assert.True(first.GetGrounding()!.Thin);
        Assert.True(second.GetGrounding()!.Thin);
        Assert.Empty(second.GetGrounding()!.Sentences);
        Assert.Equal(1, second.GetGrounding()!.GroundedFraction);
    }

    [Fact]
    public async Task GetResponseAsync_NothingRetrievedNotAnsweredWhenThin_StillRefusesWithoutAProviderCall()
    {
        using var client = new GroundingChatClient(_model, new EmptyRetriever(), new GroundingOptions { AnswerWhenThin = false });

        var response = await client.GetResponseAsync("What is the capital city of Mongolia?");

        Assert.True(response.GetGrounding()!.Refused);
        Assert.Empty(_model.Requests);
    }

    [Fact]
    public async Task GetResponseAsync_InnerThrowsSynchronously_FaultsTheReturnedTask()
    {
        _model.Fault = () => new InvalidOperationException("provider down");
        using var client = new GroundingChatClient(_model, new EmptyRetriever(), new GroundingOptions { AnswerWhenThin = true });

        var task = client.GetResponseAsync("What is the capital city of Mongolia?");

        Assert.True(task.IsFaulted);
        await Assert.ThrowsAsync<InvalidOperationException>(() => task);
    }

    private sealed class EmptyRetriever : IRetriever
    {
        public Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(RetrievalQuery query, CancellationToken cancellationToken = default)
            => Task.FromResult<IReadOnlyList<RetrievedChunk>>([]);
    }

    private sealed class FixedAnswerClient(ChatResponse answer) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult(answer);

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
