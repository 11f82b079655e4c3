using System.Linq.Expressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace LlmOps.Retrieval;

/// <summary>
/// Dense retrieval over any <c>Microsoft.Extensions.VectorData</c> collection of <see cref="ChunkRecord"/>s (the
/// in-memory <see cref="FlatVectorStoreCollection"/>, or a Qdrant, Redis or PostgreSQL connector). The scope is sent
/// as the filter <c>r =&gt; r.Scope == scope</c>, so the store selects the tenant before similarity.
/// </summary>
public sealed class VectorStoreRetriever : IRetriever
{
    private const string Method = "vector_store";
    private const int DocumentExpansion = 4;
    private readonly VectorStoreCollection<string, ChunkRecord> _collection;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="VectorStoreRetriever"/> class.</summary>
    /// <param name="collection">The collection to search.</param>
    /// <param name="embeddingGenerator">Embeds queries, with the model that embedded the records.</param>
    /// <param name="timeProvider">Measures retrieval time; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="collection"/> or <paramref name="embeddingGenerator"/> is <see langword="null"/>.</exception>
    public VectorStoreRetriever(
        VectorStoreCollection<string, ChunkRecord> collection, IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(embeddingGenerator);
        _collection = collection;
        _generator = embeddingGenerator;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="RetrievalQuery.Top"/> is less than 1.</exception>
    public async Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(RetrievalQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        using var activity = RetrievalResults.StartActivity(Method, query);
        long started = _timeProvider.GetTimestamp();
        Embedding<float> embedding = await _generator.GenerateAsync(query.Text, null, cancellationToken).ConfigureAwait(false);
        string? scope = query.Scope;
        Expression<Func<ChunkRecord, bool>> filter = r => r.Scope == scope;
        var options = new VectorSearchOptions<ChunkRecord> { Filter = filter };
        bool documents = query.Level == RetrievalLevel.Document;
        int k = documents ? checked(query.Top * DocumentExpansion) : query.Top;
        var results = new List<RetrievedChunk>();
        while (true)
        {
            results.Clear();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int hits = 0;
            await foreach (VectorSearchResult<ChunkRecord> hit in _collection.SearchAsync(embedding.Vector, k, options, cancellationToken).ConfigureAwait(false))
            {
                hits++;
                if (results.Count < query.Top && (!documents || seen.Add(hit.Record.DocumentId)))
                {
                    results.Add(new RetrievedChunk(hit.Record.ToChunk(), (float)(hit.Score ?? 0)));
                }
            }

            if (!documents || results.Count >= query.Top || hits < k || k >= int.MaxValue / DocumentExpansion)
            {
                break;
            }

            k *= DocumentExpansion;
        }

        RetrievalResults.Record(Method, query, _timeProvider.GetElapsedTime(started), results.Count);
        return results;
    }
}
