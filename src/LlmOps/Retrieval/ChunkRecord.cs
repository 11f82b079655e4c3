using Microsoft.Extensions.VectorData;

namespace LlmOps.Retrieval;

/// <summary>
/// A chunk as a <c>Microsoft.Extensions.VectorData</c> record, so that chunks can live in any
/// <see cref="VectorStoreCollection{TKey, TRecord}"/> (Qdrant, Redis, PostgreSQL, Azure AI Search…) and be searched by
/// <see cref="VectorStoreRetriever"/>. The document metadata dictionary is not stored (connectors do not store
/// dictionaries); the heading path is stored joined with <see cref="HeadingSeparator"/>.
/// </summary>
/// <remarks>
/// The attributes declare 384 dimensions (all-MiniLM-L6-v2); for another model, create the collection with
/// <see cref="CreateDefinition(int)"/>.
/// </remarks>
public sealed class ChunkRecord
{
    /// <summary>The separator of the heading path in <see cref="HeadingPath"/>: U+001F.</summary>
    public const char HeadingSeparator = '\u001F';

    /// <summary>The dimensions declared by the attributes: 384.</summary>
    public const int DefaultDimensions = 384;

    /// <summary>Gets or sets the record key: unique per scope, document and chunk index.</summary>
    [VectorStoreKey]
    public string Key { get; set; } = string.Empty;

    /// <summary>Gets or sets the scope (tenant); searches filter on it before similarity.</summary>
    [VectorStoreData(IsIndexed = true)]
    public string? Scope { get; set; }

    /// <summary>Gets or sets the document id.</summary>
    [VectorStoreData(IsIndexed = true)]
    public string DocumentId { get; set; } = string.Empty;

    /// <summary>Gets or sets the position of the chunk in its document.</summary>
    [VectorStoreData]
    public int ChunkIndex { get; set; }

    /// <summary>Gets or sets the chunk's first character offset in the document text.</summary>
    [VectorStoreData]
    public int Start { get; set; }

    /// <summary>Gets or sets the chunk text (the exact source span).</summary>
    [VectorStoreData]
    public string Text { get; set; } = string.Empty;

    /// <summary>Gets or sets the indexed and embedded text (title and headings, then the text).</summary>
    [VectorStoreData]
    public string IndexText { get; set; } = string.Empty;

    /// <summary>Gets or sets the document title.</summary>
    [VectorStoreData]
    public string? Title { get; set; }

    /// <summary>Gets or sets the document's source URI.</summary>
    [VectorStoreData]
    public string? SourceUri { get; set; }

    /// <summary>Gets or sets the heading path joined with <see cref="HeadingSeparator"/>.</summary>
    [VectorStoreData]
    public string HeadingPath { get; set; } = string.Empty;

    /// <summary>Gets or sets the number of tokens of the text.</summary>
    [VectorStoreData]
    public int TokenCount { get; set; }

    /// <summary>Gets or sets the content hash of the indexed text.</summary>
    [VectorStoreData]
    public string ContentHash { get; set; } = string.Empty;

    /// <summary>Gets or sets the embedding of <see cref="IndexText"/>.</summary>
    [VectorStoreVector(DefaultDimensions, DistanceFunction = DistanceFunction.CosineSimilarity)]
    public ReadOnlyMemory<float> Embedding { get; set; }

    /// <summary>Creates a record from a chunk and its embedding.</summary>
    /// <param name="chunk">The chunk.</param>
    /// <param name="embedding">The embedding of <see cref="DocumentChunk.IndexText"/>.</param>
    /// <returns>The record.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="chunk"/> is <see langword="null"/>.</exception>
    public static ChunkRecord FromChunk(DocumentChunk chunk, ReadOnlyMemory<float> embedding)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return new ChunkRecord
        {
            Key = DocumentIndex.ChunkKey(chunk.Scope, chunk.DocumentId, chunk.Index),
            Scope = chunk.Scope,
            DocumentId = chunk.DocumentId,
            ChunkIndex = chunk.Index,
            Start = chunk.Start,
            Text = chunk.Text,
            IndexText = chunk.IndexText,
            Title = chunk.Title,
            SourceUri = chunk.SourceUri?.ToString(),
            HeadingPath = string.Join(HeadingSeparator, chunk.HeadingPath),
            TokenCount = chunk.TokenCount,
            ContentHash = chunk.ContentHash,
            Embedding = embedding,
        };
    }

    /// <summary>Creates a collection definition for embeddings of another size (cosine similarity, scope and document id indexed).</summary>
    /// <param name="dimensions">The number of dimensions of the embeddings.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is less than 1.</exception>
    public static VectorStoreCollectionDefinition CreateDefinition(int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        return new VectorStoreCollectionDefinition
        {
            Properties =
            [
                new VectorStoreKeyProperty(nameof(Key), typeof(string)),
                new VectorStoreDataProperty(nameof(Scope), typeof(string)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(DocumentId), typeof(string)) { IsIndexed = true },
                new VectorStoreDataProperty(nameof(ChunkIndex), typeof(int)),
                new VectorStoreDataProperty(nameof(Start), typeof(int)),
                new VectorStoreDataProperty(nameof(Text), typeof(string)),
                new VectorStoreDataProperty(nameof(IndexText), typeof(string)),
                new VectorStoreDataProperty(nameof(Title), typeof(string)),
                new VectorStoreDataProperty(nameof(SourceUri), typeof(string)),
                new VectorStoreDataProperty(nameof(HeadingPath), typeof(string)),
                new VectorStoreDataProperty(nameof(TokenCount), typeof(int)),
                new VectorStoreDataProperty(nameof(ContentHash), typeof(string)),
                new VectorStoreVectorProperty(nameof(Embedding), typeof(ReadOnlyMemory<float>), dimensions) { DistanceFunction = DistanceFunction.CosineSimilarity },
            ],
        };
    }

    /// <summary>Returns the chunk this record holds.</summary>
    /// <returns>The chunk.</returns>
    public DocumentChunk ToChunk() => new(
        DocumentId,
        Scope,
        Title,
        SourceUri is null ? null : new Uri(SourceUri, UriKind.RelativeOrAbsolute),
        EmptyMetadata,
        ChunkIndex,
        Start,
        Text,
        HeadingPath.Length == 0 ? [] : HeadingPath.Split(HeadingSeparator),
        IndexText,
        TokenCount,
        ContentHash);

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();
}
