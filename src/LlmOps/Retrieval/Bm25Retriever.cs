namespace LlmOps.Retrieval;

/// <summary>Lexical retrieval: BM25 over the chunks of a <see cref="DocumentIndex"/>, within the query's scope.</summary>
public sealed class Bm25Retriever : IRetriever, IIndexedRetriever
{
    private const string Method = "bm25";
    private readonly DocumentIndex _index;

    /// <summary>Initializes a new instance of the <see cref="Bm25Retriever"/> class.</summary>
    /// <param name="index">The index to search.</param>
    /// <exception cref="ArgumentNullException"><paramref name="index"/> is <see langword="null"/>.</exception>
    public Bm25Retriever(DocumentIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        _index = index;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="RetrievalQuery.Top"/> is less than 1.</exception>
    public Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(RetrievalQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<RetrievedChunk>>(Retrieve(query));
    }

    /// <inheritdoc/>
    DocumentIndex? IIndexedRetriever.Index => _index;

    internal List<RetrievedChunk> Retrieve(RetrievalQuery query)
    {
        using var activity = RetrievalResults.StartActivity(Method, query);
        long started = _index.TimeProvider.GetTimestamp();
        List<RetrievedChunk> results = RetrievalResults.Collect(
            _index, k => _index.Lexical.Search(query.Text, k, query.Scope), static h => (h.Key, h.Score), query.Level, query.Top);
        RetrievalResults.Record(Method, query, _index.TimeProvider.GetElapsedTime(started), results.Count);
        return results;
    }
}
