using System.Linq.Expressions;
using LlmOps.Retrieval;
using Microsoft.Extensions.VectorData;

namespace LlmOps.Tests.Retrieval;

public sealed class FlatVectorStoreCollectionTests
{
    private static readonly DocumentChunker Chunker = new(new DocumentChunkerOptions { MaxTokens = 16, OverlapTokens = 0 });

    private static RetrievalDocument[] Documents(string scope) =>
    [
        new RetrievalDocument("policy", "Refunds are paid within thirty days.") { Scope = scope, Title = "Refunds" },
        new RetrievalDocument("holidays", "The office closes on public holidays.") { Scope = scope },
    ];

    [Fact]
    public async Task VectorStoreRetriever_OverFlatCollection_MatchesDenseRetrieverAndKeepsScopes()
    {
        var generator = new WordEmbeddingGenerator();
        using var collection = new FlatVectorStoreCollection("chunks", WordEmbeddingGenerator.Dimensions);
        await collection.EnsureCollectionExistsAsync();
        int written = await collection.UpsertDocumentsAsync(Documents("A").Concat(Documents("B")), Chunker, generator);
        using var index = new DocumentIndex(new DocumentIndexOptions { Chunker = new DocumentChunkerOptions { MaxTokens = 16, OverlapTokens = 0 } }, generator);
        await index.IngestAsync(Documents("A").Concat(Documents("B")));

        var query = new RetrievalQuery("when are refunds paid") { Scope = "B", Top = 2 };
        IReadOnlyList<RetrievedChunk> viaStore = await new VectorStoreRetriever(collection, generator).RetrieveAsync(query);
        IReadOnlyList<RetrievedChunk> viaIndex = await new DenseRetriever(index).RetrieveAsync(query);

        Assert.Equal(4, written);
        Assert.Equal(viaIndex.Select(r => (r.Chunk.DocumentId, r.Chunk.Start, r.Chunk.Text, r.Chunk.Scope)), viaStore.Select(r => (r.Chunk.DocumentId, r.Chunk.Start, r.Chunk.Text, r.Chunk.Scope)));
        Assert.Equal(viaIndex.Select(r => r.Score), viaStore.Select(r => r.Score));
        Assert.Equal("Refunds\n\nRefunds are paid within thirty days.", viaStore[0].Chunk.IndexText);
        Assert.All(viaStore, r => Assert.Equal("B", r.Chunk.Scope));
        Assert.Empty(await new VectorStoreRetriever(collection, generator).RetrieveAsync(new RetrievalQuery("refunds") { Scope = "C" }));
    }

    [Fact]
    public async Task UpsertDocumentsAsync_ShorterVersion_DeletesLeftoverChunks()
    {
        var generator = new WordEmbeddingGenerator();
        using var collection = new FlatVectorStoreCollection("chunks", WordEmbeddingGenerator.Dimensions);
        string longText = string.Join("\n\n", Enumerable.Range(0, 5).Select(i => $"Paragraph {i} about refunds and returns."));
        await collection.UpsertDocumentsAsync([new RetrievalDocument("d", longText)], Chunker, generator);
        Assert.True(collection.Count >= 3, $"{collection.Count} chunks");
        await collection.UpsertDocumentsAsync([new RetrievalDocument("d", "Only one paragraph now.")], Chunker, generator);
        Assert.Equal(1, collection.Count);
        Assert.Equal("Only one paragraph now.", (await collection.GetAsync(DocumentIndex.ChunkKey(null, "d", 0)))!.Text);
    }

    [Fact]
    public async Task SearchAsync_ScopeFilterSelectsPartition_OtherFiltersThrow()
    {
        using var collection = new FlatVectorStoreCollection("c", 3);
        await collection.UpsertAsync(new ChunkRecord { Key = "a", Scope = "A", Embedding = new float[] { 1, 0, 0 } });
        await collection.UpsertAsync(new ChunkRecord { Key = "b", Scope = "B", Embedding = new float[] { 1, 0, 0 } });
        await collection.UpsertAsync(new ChunkRecord { Key = "n", Scope = null, Embedding = new float[] { 0, 1, 0 } });

        string scope = "B";
        Assert.Equal(["b"], await Keys(collection.SearchAsync(new float[] { 1, 0, 0 }, 10, new VectorSearchOptions<ChunkRecord> { Filter = r => r.Scope == scope })));
        Assert.Equal(["a"], await Keys(collection.SearchAsync(new float[] { 1, 0, 0 }, 10, new VectorSearchOptions<ChunkRecord> { Filter = r => "A" == r.Scope })));
        Assert.Equal(["n"], await Keys(collection.SearchAsync(new float[] { 1, 0, 0 }, 10, new VectorSearchOptions<ChunkRecord> { Filter = r => r.Scope == null })));
        Assert.Equal(3, (await Keys(collection.SearchAsync(new ReadOnlyMemory<float>([1, 0, 0]), 10))).Count);

        Expression<Func<ChunkRecord, bool>> other = r => r.DocumentId == "x";
        await Assert.ThrowsAsync<NotSupportedException>(() => Keys(collection.SearchAsync(new float[] { 1, 0, 0 }, 10, new VectorSearchOptions<ChunkRecord> { Filter = other })));
        await Assert.ThrowsAsync<NotSupportedException>(() => Keys(collection.SearchAsync("text without a generator", 10)));
        await Assert.ThrowsAsync<ArgumentException>(() => collection.UpsertAsync(new ChunkRecord { Key = "bad", Embedding = new float[] { 1, 0 } }));
    }

    [Fact]
    public async Task CrudAndLifecycle_Work()
    {
        using var collection = new FlatVectorStoreCollection("c", 3);
        Assert.False(await collection.CollectionExistsAsync());
        await collection.EnsureCollectionExistsAsync();
        Assert.True(await collection.CollectionExistsAsync());
        await collection.UpsertAsync([new ChunkRecord { Key = "a", DocumentId = "d", Embedding = new float[] { 1, 0, 0 } }, new ChunkRecord { Key = "b", DocumentId = "e", Embedding = new float[] { 0, 1, 0 } }]);
        Assert.Equal("d", (await collection.GetAsync("a"))!.DocumentId);
        Assert.Equal(["b"], await collection.GetAsync(r => r.DocumentId == "e", 10).Select(r => r.Key).ToListAsync());
        await collection.DeleteAsync("a");
        Assert.Null(await collection.GetAsync("a"));
        Assert.Equal(["b"], await Keys(collection.SearchAsync(new float[] { 1, 0, 0 }, 10)));
        Assert.NotNull(collection.GetService(typeof(VectorStoreCollectionMetadata)));
        await collection.EnsureCollectionDeletedAsync();
        Assert.Equal(0, collection.Count);
        Assert.False(await collection.CollectionExistsAsync());
    }

    [Fact]
    public void ChunkRecord_RoundTripsAChunk()
    {
        DocumentChunk chunk = new DocumentChunker().Chunk(new RetrievalDocument("d", "# H1\n## H2\nBody text.") { Scope = "s", Title = "T", SourceUri = new Uri("https://example.com/doc"), Format = DocumentFormat.Markdown })[0];
        DocumentChunk back = ChunkRecord.FromChunk(chunk, new float[] { 1 }).ToChunk();
        Assert.Equal(
            (chunk.DocumentId, chunk.Scope, chunk.Index, chunk.Start, chunk.Length, chunk.Text, chunk.IndexText, chunk.Title, chunk.SourceUri, chunk.ContentHash, chunk.TokenCount),
            (back.DocumentId, back.Scope, back.Index, back.Start, back.Length, back.Text, back.IndexText, back.Title, back.SourceUri, back.ContentHash, back.TokenCount));
        Assert.Equal(["H1", "H2"], back.HeadingPath);
        Assert.Equal(7, ChunkRecord.CreateDefinition(7).Properties.OfType<VectorStoreVectorProperty>().Single().Dimensions);
    }

    private static async Task<List<string>> Keys(IAsyncEnumerable<VectorSearchResult<ChunkRecord>> results)
    {
        var keys = new List<string>();
        await foreach (VectorSearchResult<ChunkRecord> r in results)
        {
            keys.Add(r.Record.Key);
        }

        return keys;
    }
}
