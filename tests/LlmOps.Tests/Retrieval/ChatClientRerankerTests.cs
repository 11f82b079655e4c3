using LlmOps.Retrieval;
using LlmOps.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Testing;

namespace LlmOps.Tests.Retrieval;

public sealed class ChatClientRerankerTests
{
    private static IReadOnlyList<RetrievedChunk> Candidates() =>
        new[] { "one", "two", "three" }.Select((d, i) => new RetrievedChunk(new DocumentChunker().Chunk(new RetrievalDocument(d, $"Passage {d}."))[0], 3 - i)).ToList();

    [Fact]
    public async Task RerankAsync_ModelOrder_IsAppliedAndUnmentionedFollow()
    {
        var client = new DelegatingTestChatClient
        {
            OnGetResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "3, 1"))),
        };
        IReadOnlyList<RetrievedChunk> result = await new ChatClientReranker(client).RerankAsync("which?", Candidates());

        Assert.Equal(["three", "one", "two"], result.Select(r => r.Chunk.DocumentId));
        Assert.Equal([1f, 0.5f, 1f / 3], result.Select(r => r.Score));
        string prompt = client.Calls.Single().Messages.Single().Text;
        Assert.Contains("[2] Passage two.", prompt, StringComparison.Ordinal);
        Assert.Contains("Query: which?", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RerankAsync_UnreadableAnswer_KeepsOrderAndLogs()
    {
        var client = new DelegatingTestChatClient
        {
            OnGetResponse = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "I cannot rank these."))),
        };
        var logger = new FakeLogger();
        IReadOnlyList<RetrievedChunk> candidates = Candidates();
        IReadOnlyList<RetrievedChunk> result = await new ChatClientReranker(client, logger).RerankAsync("which?", candidates);

        Assert.Same(candidates, result);
        Assert.Equal(1601, Assert.Single(logger.Collector.GetSnapshot()).Id.Id);
    }

    [Fact]
    public async Task RerankAsync_ForwardsCancellationToken()
    {
        using var cts = new CancellationTokenSource();
        var client = new DelegatingTestChatClient();
        await new ChatClientReranker(client).RerankAsync("q", Candidates(), cts.Token);
        Assert.Equal(cts.Token, client.Calls.Single().Token);
    }
}
