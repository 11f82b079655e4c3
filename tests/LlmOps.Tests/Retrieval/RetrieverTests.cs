using LlmOps.Retrieval;

namespace LlmOps.Tests.Retrieval;

public sealed class RetrieverTests
{
    private static async Task<DocumentIndex> TwoTenants()
    {
        var index = new DocumentIndex(new DocumentIndexOptions { Chunker = new DocumentChunkerOptions { MaxTokens = 16, OverlapTokens = 0 } }, new WordEmbeddingGenerator());
        foreach (string scope in new[] { "A", "B" })
        {
            await index.IngestAsync(
            [
                new RetrievalDocument("policy", "Refunds are paid within thirty days.") { Scope = scope },
                new RetrievalDocument("holidays", "The office closes on public holidays.") { Scope = scope },
            ]);
        }

        await index.IngestAsync(new RetrievalDocument("a-only", "Refunds for tenant A need a receipt.") { Scope = "A" });
        return index;
    }

    public static TheoryData<string> Methods => ["bm25", "dense", "hybrid"];

    private static IRetriever Create(string method, DocumentIndex index) => method switch
    {
        "bm25" => new Bm25Retriever(index),
        "dense" => new DenseRetriever(index),
        _ => new HybridRetriever(index),
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task RetrieveAsync_IdenticalDocumentsInTwoScopes_NeverCross(string method)
    {
        using DocumentIndex index = await TwoTenants();
        IRetriever retriever = Create(method, index);

        IReadOnlyList<RetrievedChunk> b = await retriever.RetrieveAsync(new RetrievalQuery("refunds receipt") { Scope = "B", Top = 10 });
        IReadOnlyList<RetrievedChunk> a = await retriever.RetrieveAsync(new RetrievalQuery("refunds receipt") { Scope = "A", Top = 10 });
        IReadOnlyList<RetrievedChunk> none = await retriever.RetrieveAsync(new RetrievalQuery("refunds receipt") { Top = 10 });

        Assert.NotEmpty(b);
        Assert.All(b, r => Assert.Equal("B", r.Chunk.Scope));
        Assert.DoesNotContain(b, r => r.Chunk.DocumentId == "a-only");
        Assert.All(a, r => Assert.Equal("A", r.Chunk.Scope));
        Assert.Contains(a, r => r.Chunk.DocumentId == "a-only");
        Assert.Empty(none);

        // Deleting A's copy leaves B's.
        index.Delete("policy", "A");
        Assert.Contains(await retriever.RetrieveAsync(new RetrievalQuery("refunds") { Scope = "B" }), r => r.Chunk.DocumentId == "policy");
        Assert.DoesNotContain(await retriever.RetrieveAsync(new RetrievalQuery("refunds") { Scope = "A" }), r => r.Chunk.DocumentId == "policy");
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task RetrieveAsync_DocumentLevel_OneResultPerDocumentRankedByBestChunk(string method)
    {
        using var index = new DocumentIndex(new DocumentIndexOptions { Chunker = new DocumentChunkerOptions { MaxTokens = 10, OverlapTokens = 0 } }, new WordEmbeddingGenerator());
        string many = string.Join("\n\n", Enumerable.Range(0, 12).Select(i => $"Paragraph {i} mentions zebra stripes."));
        await index.IngestAsync(
        [
            new RetrievalDocument("many", many),
            new RetrievalDocument("one", "Zebra stripes zebra stripes zebra stripes."),
            new RetrievalDocument("other", "Nothing relevant at all."),
        ]);
        IRetriever retriever = Create(method, index);

        IReadOnlyList<RetrievedChunk> chunks = await retriever.RetrieveAsync(new RetrievalQuery("zebra stripes") { Top = 5 });
        IReadOnlyList<RetrievedChunk> docs = await retriever.RetrieveAsync(new RetrievalQuery("zebra stripes") { Top = 5, Level = RetrievalLevel.Document });

        Assert.Equal(5, chunks.Count);
        Assert.True(chunks.Count(c => c.Chunk.DocumentId == "many") >= 4);
        Assert.Equal(docs.Select(d => d.Chunk.DocumentId).Distinct().Count(), docs.Count);
        Assert.Contains(docs, d => d.Chunk.DocumentId == "many");
        Assert.Contains(docs, d => d.Chunk.DocumentId == "one");

        // A document's result is its best chunk: the first of its chunks in the chunk ranking.
        RetrievedChunk bestOfMany = chunks.First(c => c.Chunk.DocumentId == "many");
        Assert.Equal(bestOfMany.Chunk.Index, docs.Single(d => d.Chunk.DocumentId == "many").Chunk.Index);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task RetrieveAsync_InvalidQuery_Throws(string method)
    {
        using DocumentIndex index = await TwoTenants();
        IRetriever retriever = Create(method, index);
        await Assert.ThrowsAsync<ArgumentNullException>(() => retriever.RetrieveAsync(null!));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => retriever.RetrieveAsync(new RetrievalQuery("x") { Top = 0 }));
    }

    [Fact]
    public async Task DenseRetriever_ReturnsCosineScores()
    {
        using DocumentIndex index = await TwoTenants();
        IReadOnlyList<RetrievedChunk> hits = await new DenseRetriever(index).RetrieveAsync(new RetrievalQuery("The office closes on public holidays.") { Scope = "A" });
        Assert.Equal("holidays", hits[0].Chunk.DocumentId);
        Assert.Equal(1f, hits[0].Score, 4);
    }

    [Theory]
    [InlineData("dense")]
    [InlineData("hybrid")]
    public async Task RetrieveAsync_QuantizedVectors_RanksAsTheExactIndexWithExactScores(string method)
    {
        // Forty short documents over a small vocabulary: the int8 scan picks the candidates, float32 rescoring orders them.
        string[] words = ["refund", "office", "holiday", "receipt", "tenant", "policy", "shipping", "invoice", "warranty", "return"];
        var documents = Enumerable.Range(0, 40)
            .Select(i => new RetrievalDocument("d" + i, string.Join(' ', Enumerable.Range(0, 6).Select(j => words[((i * 7) + (j * (i % 3 + 1))) % words.Length]))))
            .ToArray();
        using var exact = new DocumentIndex(embeddingGenerator: new WordEmbeddingGenerator());
        using var quantized = new DocumentIndex(new DocumentIndexOptions { QuantizeVectors = true }, new WordEmbeddingGenerator());
        await exact.IngestAsync(documents);
        await quantized.IngestAsync(documents);

        Assert.IsType<LlmOps.Vectors.QuantizedVectorIndex>(quantized.Vectors);
        Assert.IsType<LlmOps.Vectors.FlatVectorIndex>(exact.Vectors);
        foreach (string query in new[] { "refund receipt policy", "office holiday", "warranty return invoice" })
        {
            var expected = await Create(method, exact).RetrieveAsync(new RetrievalQuery(query) { Top = 5 });
            var actual = await Create(method, quantized).RetrieveAsync(new RetrievalQuery(query) { Top = 5 });
            Assert.Equal(expected.Select(r => (r.Chunk.DocumentId, r.Score)), actual.Select(r => (r.Chunk.DocumentId, r.Score)));
        }
    }
}
