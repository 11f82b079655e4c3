using LlmOps.Retrieval;

namespace LlmOps.Tests.Retrieval;

public sealed class DocumentIndexTests
{
    private static DocumentIndexOptions SmallChunks(int batch = 32) => new()
    {
        Chunker = new DocumentChunkerOptions { MaxTokens = 12, OverlapTokens = 0 },
        EmbeddingBatchSize = batch,
    };

    private const string ThreeParagraphs =
        "Solar panels convert sunlight into electricity.\n\nWind turbines spin in strong coastal winds.\n\nHydro dams store water for the dry season.";

    [Fact]
    public async Task IngestAsync_NewDocuments_EmbedsEveryChunkInBatches()
    {
        var generator = new WordEmbeddingGenerator();
        using var index = new DocumentIndex(SmallChunks(batch: 2), generator);
        IngestionResult result = await index.IngestAsync([new RetrievalDocument("energy", ThreeParagraphs), new RetrievalDocument("x", "Other text here.")]);

        Assert.Equal(new IngestionResult(2, 0, 0, 4, 0, 0, result.EmbeddingTime), result);
        Assert.Equal([2, 2], generator.Batches.Select(b => b.Length));
        Assert.Equal(4, index.ChunkCount);
        Assert.Equal(2, index.DocumentCount);
        Assert.Equal(4, index.Vectors!.Count);
    }

    [Fact]
    public async Task IngestAsync_SameDocumentAgain_DoesNothing()
    {
        var generator = new WordEmbeddingGenerator();
        using var index = new DocumentIndex(SmallChunks(), generator);
        await index.IngestAsync(new RetrievalDocument("energy", ThreeParagraphs));
        IngestionResult again = await index.IngestAsync(new RetrievalDocument("energy", ThreeParagraphs));

        Assert.Equal(1, again.DocumentsUnchanged);
        Assert.Equal(0, again.ChunksEmbedded);
        Assert.Single(generator.Batches);
    }

    [Fact]
    public async Task IngestAsync_ChangedParagraph_ReembedsOnlyThatChunkAndReplacesText()
    {
        var generator = new WordEmbeddingGenerator();
        using var index = new DocumentIndex(SmallChunks(), generator);
        await index.IngestAsync(new RetrievalDocument("energy", ThreeParagraphs));
        string changed = ThreeParagraphs.Replace("Wind turbines spin in strong coastal winds.", "Geothermal plants tap volcanic heat.", StringComparison.Ordinal);
        IngestionResult result = await index.IngestAsync(new RetrievalDocument("energy", changed));

        Assert.Equal((1, 1, 2, 3), (result.DocumentsUpdated, result.ChunksEmbedded, result.ChunksReused, result.ChunksRemoved));
        Assert.Equal("Geothermal plants tap volcanic heat.", Assert.Single(generator.Batches[^1]));
        Assert.Empty(await new Bm25Retriever(index).RetrieveAsync(new RetrievalQuery("turbines")));
        RetrievedChunk hit = Assert.Single(await new Bm25Retriever(index).RetrieveAsync(new RetrievalQuery("volcanic")));
        Assert.Equal(changed.IndexOf("Geothermal", StringComparison.Ordinal), hit.Chunk.Start);
        Assert.Equal(3, index.ChunkCount);
        Assert.Equal(3, index.Vectors!.Count);

        // The reused vectors still find their chunks.
        RetrievedChunk dense = (await new DenseRetriever(index).RetrieveAsync(new RetrievalQuery("hydro dams store water"))).First();
        Assert.StartsWith("Hydro dams", dense.Chunk.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_RemovesChunksFromBothIndexes()
    {
        using var index = new DocumentIndex(SmallChunks(), new WordEmbeddingGenerator());
        await index.IngestAsync([new RetrievalDocument("energy", ThreeParagraphs), new RetrievalDocument("keep", "Solar farms too.")]);
        Assert.True(index.Delete("energy", null));
        Assert.False(index.Delete("energy", null));

        Assert.Equal(1, index.ChunkCount);
        Assert.Equal(1, index.Vectors!.Count);
        Assert.Equal(1, index.Lexical.Count);
        Assert.Equal(["keep"], (await new DenseRetriever(index).RetrieveAsync(new RetrievalQuery("solar panels"))).Select(r => r.Chunk.DocumentId));
        Assert.Empty(index.GetChunks("energy", null));
    }

    [Fact]
    public async Task IngestAsync_EmbeddingFails_ChangesNothing()
    {
        var generator = new WordEmbeddingGenerator();
        using var index = new DocumentIndex(SmallChunks(batch: 1), generator);
        await index.IngestAsync(new RetrievalDocument("old", "Original text stays."));
        generator.FailOnCall = call => call == 3 ? new InvalidOperationException("model down") : null;

        await Assert.ThrowsAsync<InvalidOperationException>(() => index.IngestAsync([new RetrievalDocument("energy", ThreeParagraphs), new RetrievalDocument("old", "Replaced text.")]));

        Assert.Equal(1, index.DocumentCount);
        Assert.Equal("Original text stays.", Assert.Single(index.GetChunks("old", null)).Text);
        Assert.Empty(await new Bm25Retriever(index).RetrieveAsync(new RetrievalQuery("solar")));
    }

    [Fact]
    public async Task IngestAsync_Cancelled_ChangesNothing()
    {
        using var index = new DocumentIndex(SmallChunks(), new WordEmbeddingGenerator());
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => index.IngestAsync(new RetrievalDocument("energy", ThreeParagraphs), cts.Token));
        Assert.Equal(0, index.ChunkCount);
    }

    [Fact]
    public async Task IngestAsync_WithoutGenerator_IsLexicalOnly()
    {
        using var index = new DocumentIndex(SmallChunks());
        await index.IngestAsync(new RetrievalDocument("energy", ThreeParagraphs));
        Assert.Null(index.Vectors);
        Assert.Equal(3, index.Lexical.Count);
        Assert.Throws<ArgumentException>(() => new DenseRetriever(index));
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEachProblem()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DocumentIndex(new DocumentIndexOptions
        {
            EmbeddingBatchSize = 0,
            Bm25 = new Bm25Options { B = 2 },
        }));
        Assert.Contains("DocumentIndexOptions.EmbeddingBatchSize must be at least 1; was 0.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Bm25Options.B must be in [0, 1]; was 2.", ex.Message, StringComparison.Ordinal);
    }
}
