using LlmOps.Vectors;
using Microsoft.Extensions.AI;

namespace LlmOps.Retrieval;

/// <summary>
/// Dense retrieval: embeds the query with the index's embedding generator and ranks the chunks of the query's scope
/// by cosine similarity (the scope is selected before any similarity is computed).
/// </summary>
public sealed class DenseRetriever : IRetriever, IIndexedRetriever
{
    private const string Method = "dense";
    private readonly DocumentIndex _index;

    /// <summary>Initializes a new instance of the <see cref="DenseRetriever"/> class.</summary>
    /// <param name="index">The index to search; it must have an embedding generator.</param>
    /// <exception cref="ArgumentNullException"><paramref name="index"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The index has no embedding generator.</exception>
    public DenseRetriever(DocumentIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (index.EmbeddingGenerator is null)
        {
            throw new ArgumentException("Dense retrieval needs embeddings: create the DocumentIndex with an embedding generator (for example MiniLmEmbeddingGenerator).", nameof(index));
        }

        _index = index;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="RetrievalQuery.Top"/> is less than 1.</exception>
    public async Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(RetrievalQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        using var activity = RetrievalResults.StartActivity(Method, query);
        long started = _index.TimeProvider.GetTimestamp();
        float[] vector = await EmbedQueryAsync(query.Text, cancellationToken).ConfigureAwait(false);
        List<RetrievedChunk> results = Retrieve(vector, query);
        RetrievalResults.Record(Method, query, _index.TimeProvider.GetElapsedTime(started), results.Count);
        return results;
    }

    /// <inheritdoc/>
    DocumentIndex? IIndexedRetriever.Index => _index;

    internal Task<float[]> EmbedQueryAsync(string text, CancellationToken cancellationToken) => _index.EmbedQueryAsync(text, cancellationToken);

    internal List<RetrievedChunk> Retrieve(float[] vector, RetrievalQuery query)
    {
        VectorIndex? vectors = _index.Vectors;
        if (vectors is null)
        {
            return [];
        }

        if (vector.Length != vectors.Dimensions)
        {
            throw new InvalidOperationException(
                $"The query embedding has {vector.Length} dimensions but the index holds {vectors.Dimensions}-dimensional chunks. Embed queries with the model that embedded the documents.");
        }

        return RetrievalResults.Collect(
            _index, k => vectors.Search(vector, k, query.Scope), static h => (h.Key, h.Score), query.Level, query.Top);
    }
}
