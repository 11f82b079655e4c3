using LlmOps.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Testing;

namespace LlmOps.Tests.Retrieval;

public sealed class HybridRetrieverTests
{
    private static RetrievedChunk R(string doc, float score, int index = 0)
    {
        DocumentChunk chunk = new DocumentChunker().Chunk(new RetrievalDocument(doc, $"Text of {doc}."))[0];
        return new RetrievedChunk(
            new DocumentChunk(chunk.DocumentId, null, null, null, chunk.Metadata, index, 0, chunk.Text, [], chunk.IndexText, 1, chunk.ContentHash),
            score);
    }

    [Fact]
    public void Fuse_ReciprocalRank_MatchesHandComputedScores()
    {
        // k = 60: a = 1/61 + 1/62, c = 1/63 + 1/61, b = 1/62, d = 1/63.
        RetrievedChunk[] lexical = [R("a", 9), R("b", 5), R("c", 1)];
        RetrievedChunk[] dense = [R("c", 0.9f), R("a", 0.8f), R("d", 0.1f)];
        List<RetrievedChunk> fused = HybridRetriever.Fuse(lexical, dense, RetrievalLevel.Chunk, new HybridRetrieverOptions());

        Assert.Equal(["a", "c", "b", "d"], fused.Select(f => f.Chunk.DocumentId));
        Assert.Equal((1.0 / 61) + (1.0 / 62), fused[0].Score, 6);
        Assert.Equal((1.0 / 63) + (1.0 / 61), fused[1].Score, 6);
        Assert.Equal(1.0 / 62, fused[2].Score, 6);
        Assert.Equal(1.0 / 63, fused[3].Score, 6);
    }

    [Fact]
    public void Fuse_Weights_ScaleEachList()
    {
        RetrievedChunk[] lexical = [R("a", 9), R("b", 5)];
        RetrievedChunk[] dense = [R("b", 0.9f), R("a", 0.8f)];
        var options = new HybridRetrieverOptions { LexicalWeight = 1, DenseWeight = 2 };
        List<RetrievedChunk> fused = HybridRetriever.Fuse(lexical, dense, RetrievalLevel.Chunk, options);
        Assert.Equal(["b", "a"], fused.Select(f => f.Chunk.DocumentId));
        Assert.Equal((1.0 / 62) + (2.0 / 61), fused[0].Score, 6);
    }

    [Fact]
    public void Fuse_WeightedScore_NormalisesEachList()
    {
        // Lexical 10, 6, 2 -> 1, 0.5, 0; dense 0.9, 0.5 -> 1, 0. a = 1 + 0 = 1; b = 0.5 + 1 = 1.5; c = 0.
        RetrievedChunk[] lexical = [R("a", 10), R("b", 6), R("c", 2)];
        RetrievedChunk[] dense = [R("b", 0.9f), R("a", 0.5f)];
        List<RetrievedChunk> fused = HybridRetriever.Fuse(lexical, dense, RetrievalLevel.Chunk, new HybridRetrieverOptions { Fusion = HybridFusion.WeightedScore });
        Assert.Equal(["b", "a", "c"], fused.Select(f => f.Chunk.DocumentId));
        Assert.Equal([1.5f, 1f, 0f], fused.Select(f => f.Score));
    }

    [Fact]
    public void Fuse_DocumentLevel_KeepsTheHighestRankedChunk()
    {
        RetrievedChunk[] lexical = [R("a", 9, index: 3)];
        RetrievedChunk[] dense = [R("b", 0.9f), R("a", 0.8f, index: 5)];
        List<RetrievedChunk> fused = HybridRetriever.Fuse(lexical, dense, RetrievalLevel.Document, new HybridRetrieverOptions());
        Assert.Equal(3, fused.Single(f => f.Chunk.DocumentId == "a").Chunk.Index);
        Assert.Equal(2, fused.Count);
    }

    [Fact]
    public async Task RetrieveAsync_Mmr_PushesNearDuplicatesDown()
    {
        using var index = new DocumentIndex(embeddingGenerator: new WordEmbeddingGenerator());
        await index.IngestAsync(
        [
            new RetrievalDocument("dup1", "jaguar speed jaguar cat habitat"),
            new RetrievalDocument("dup2", "jaguar speed jaguar cat habitat forest"),
            new RetrievalDocument("car", "jaguar car engine speed"),
        ]);
        var query = new RetrievalQuery("jaguar speed habitat") { Top = 3 };
        IReadOnlyList<RetrievedChunk> plain = await new HybridRetriever(index).RetrieveAsync(query);
        IReadOnlyList<RetrievedChunk> diverse = await new HybridRetriever(index, new HybridRetrieverOptions { MmrLambda = 0.3f }).RetrieveAsync(query);

        Assert.Equal("car", plain[^1].Chunk.DocumentId);
        Assert.Equal("car", diverse[1].Chunk.DocumentId);
    }

    [Fact]
    public async Task RetrieveAsync_Reranker_ReordersTheHead()
    {
        using var index = new DocumentIndex(embeddingGenerator: new WordEmbeddingGenerator());
        await index.IngestAsync([new RetrievalDocument("a", "alpha beta"), new RetrievalDocument("b", "alpha"), new RetrievalDocument("c", "alpha gamma")]);
        var reranker = new ReversingReranker();
        var retriever = new HybridRetriever(index, new HybridRetrieverOptions { Reranker = reranker, RerankDepth = 2 });
        IReadOnlyList<RetrievedChunk> plain = await new HybridRetriever(index).RetrieveAsync(new RetrievalQuery("alpha beta"));
        IReadOnlyList<RetrievedChunk> reranked = await retriever.RetrieveAsync(new RetrievalQuery("alpha beta"));

        Assert.Equal(2, reranker.Seen);
        Assert.Equal([plain[1].Chunk.DocumentId, plain[0].Chunk.DocumentId, plain[2].Chunk.DocumentId], reranked.Select(r => r.Chunk.DocumentId));
    }

    [Fact]
    public async Task RetrieveAsync_RerankerFails_KeepsFusedOrderAndLogs()
    {
        using var index = new DocumentIndex(embeddingGenerator: new WordEmbeddingGenerator());
        await index.IngestAsync([new RetrievalDocument("a", "alpha beta"), new RetrievalDocument("b", "alpha")]);
        var logger = new FakeLogger();
        var retriever = new HybridRetriever(index, new HybridRetrieverOptions { Reranker = new ReversingReranker { Fail = true } }, logger);
        IReadOnlyList<RetrievedChunk> plain = await new HybridRetriever(index).RetrieveAsync(new RetrievalQuery("alpha beta"));
        IReadOnlyList<RetrievedChunk> results = await retriever.RetrieveAsync(new RetrievalQuery("alpha beta"));

        Assert.Equal(plain.Select(p => p.Chunk.DocumentId), results.Select(r => r.Chunk.DocumentId));
        FakeLogRecord record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(1600, record.Id.Id);
        Assert.IsType<InvalidOperationException>(record.Exception);
    }

    [Fact]
    public async Task RetrieveAsync_OverAnyTwoRetrievers_Fuses()
    {
        using var index = new DocumentIndex(embeddingGenerator: new WordEmbeddingGenerator());
        await index.IngestAsync([new RetrievalDocument("a", "alpha beta"), new RetrievalDocument("b", "gamma")]);
        var retriever = new HybridRetriever(new Bm25Retriever(index), new DenseRetriever(index));
        IReadOnlyList<RetrievedChunk> results = await retriever.RetrieveAsync(new RetrievalQuery("alpha gamma"));
        Assert.Equal(["a", "b"], results.Select(r => r.Chunk.DocumentId).Order());
    }

    [Fact]
    public void Constructor_InvalidOptions_NamesEachProblem()
    {
        using var index = new DocumentIndex(embeddingGenerator: new WordEmbeddingGenerator());
        var ex = Assert.Throws<ArgumentException>(() => new HybridRetriever(index, new HybridRetrieverOptions { RrfK = -1, MmrLambda = 0, CandidateCount = 0 }));
        Assert.Contains("HybridRetrieverOptions.RrfK must be >= 0; was -1.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HybridRetrieverOptions.MmrLambda must be in (0, 1] or null; was 0.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HybridRetrieverOptions.CandidateCount", ex.Message, StringComparison.Ordinal);
        var mmr = Assert.Throws<ArgumentException>(() => new HybridRetriever(new Bm25Retriever(index), new DenseRetriever(index), new HybridRetrieverOptions { MmrLambda = 0.5f }));
        Assert.Contains("MmrLambda needs chunk vectors", mmr.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new HybridRetriever(new DocumentIndex()));
    }

    private sealed class ReversingReranker : IReranker
    {
        public int Seen { get; private set; }

        public bool Fail { get; init; }

        public Task<IReadOnlyList<RetrievedChunk>> RerankAsync(string query, IReadOnlyList<RetrievedChunk> candidates, CancellationToken cancellationToken = default)
        {
            if (Fail)
            {
                throw new InvalidOperationException("reranker down");
            }

            Seen = candidates.Count;
            return Task.FromResult<IReadOnlyList<RetrievedChunk>>(candidates.Reverse().ToList());
        }
    }
}
