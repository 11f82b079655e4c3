using System.Numerics.Tensors;
using LlmOps.Vectors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmOps.Retrieval;

/// <summary>
/// Hybrid retrieval: a lexical and a dense ranking of the query's scope, fused with Reciprocal Rank Fusion (or a
/// weighted score fusion), optionally diversified with MMR and reranked by an <see cref="IReranker"/>.
/// </summary>
/// <remarks>
/// At <see cref="RetrievalLevel.Document"/> each ranking is first reduced to documents (each by its best chunk) and
/// the documents are fused; the chunk shown for a document is the one ranked highest by either list. A reranker
/// failure is logged (EventId 1600) and the fused order is kept.
/// </remarks>
public sealed class HybridRetriever : IRetriever, IIndexedRetriever
{
    private const string Method = "hybrid";
    private readonly DocumentIndex? _index;
    private readonly Bm25Retriever? _bm25;
    private readonly DenseRetriever? _dense;
    private readonly IRetriever _lexicalRetriever;
    private readonly IRetriever _denseRetriever;
    private readonly HybridRetrieverOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new instance of the <see cref="HybridRetriever"/> class over a <see cref="DocumentIndex"/>.</summary>
    /// <param name="index">The index; it must have an embedding generator.</param>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    /// <param name="logger">Logs absorbed failures; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="index"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The index has no embedding generator, or the options are invalid.</exception>
    public HybridRetriever(DocumentIndex index, HybridRetrieverOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        _index = index;
        _bm25 = new Bm25Retriever(index);
        _dense = new DenseRetriever(index);
        _lexicalRetriever = _bm25;
        _denseRetriever = _dense;
        _options = Validated(options, allowMmr: true);
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = index.TimeProvider;
    }

    /// <summary>Initializes a new instance of the <see cref="HybridRetriever"/> class over any two retrievers.</summary>
    /// <param name="lexical">The lexical retriever (its ranking is weighted by <see cref="HybridRetrieverOptions.LexicalWeight"/>).</param>
    /// <param name="dense">The dense retriever (weighted by <see cref="HybridRetrieverOptions.DenseWeight"/>).</param>
    /// <param name="options">The options; defaults when <see langword="null"/>. MMR is not available here.</param>
    /// <param name="logger">Logs absorbed failures; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">Measures retrieval time; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="lexical"/> or <paramref name="dense"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are invalid or ask for MMR.</exception>
    public HybridRetriever(IRetriever lexical, IRetriever dense, HybridRetrieverOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(lexical);
        ArgumentNullException.ThrowIfNull(dense);
        _lexicalRetriever = lexical;
        _denseRetriever = dense;
        _options = Validated(options, allowMmr: false);
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    DocumentIndex? IIndexedRetriever.Index => _index;

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="RetrievalQuery.Top"/> is less than 1.</exception>
    public async Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(RetrievalQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        using var activity = RetrievalResults.StartActivity(Method, query);
        long started = _timeProvider.GetTimestamp();
        var sub = new RetrievalQuery(query.Text)
        {
            Scope = query.Scope,
            Top = Math.Max(_options.CandidateCount, query.Top),
            Level = query.Level,
        };

        IReadOnlyList<RetrievedChunk> lexical;
        IReadOnlyList<RetrievedChunk> dense;
        float[]? queryVector = null;
        if (_dense is not null)
        {
            queryVector = await _dense.EmbedQueryAsync(query.Text, cancellationToken).ConfigureAwait(false);
            lexical = _bm25!.Retrieve(sub);
            dense = _dense.Retrieve(queryVector, sub);
        }
        else
        {
            Task<IReadOnlyList<RetrievedChunk>> l = _lexicalRetriever.RetrieveAsync(sub, cancellationToken);
            Task<IReadOnlyList<RetrievedChunk>> d = _denseRetriever.RetrieveAsync(sub, cancellationToken);
            await Task.WhenAll(l, d).ConfigureAwait(false);
            lexical = await l.ConfigureAwait(false);
            dense = await d.ConfigureAwait(false);
        }

        List<RetrievedChunk> fused = Fuse(lexical, dense, query.Level, _options);
        int keep = _options.Reranker is null ? query.Top : Math.Max(query.Top, _options.RerankDepth);
        if (_options.MmrLambda is float lambda && queryVector is not null && _index?.Vectors is VectorIndex vectors)
        {
            fused = Mmr(fused, queryVector, vectors, lambda, Math.Min(keep, fused.Count));
        }

        IReadOnlyList<RetrievedChunk> results = fused;
        if (_options.Reranker is IReranker reranker && fused.Count > 0)
        {
            results = await RerankAsync(reranker, query.Text, fused, cancellationToken).ConfigureAwait(false);
        }

        if (results.Count > query.Top)
        {
            results = results.Take(query.Top).ToList();
        }

        RetrievalResults.Record(Method, query, _timeProvider.GetElapsedTime(started), results.Count);
        return results;
    }

    /// <summary>Fuses two rankings (best first) into one, best first.</summary>
    internal static List<RetrievedChunk> Fuse(
        IReadOnlyList<RetrievedChunk> lexical, IReadOnlyList<RetrievedChunk> dense, RetrievalLevel level, HybridRetrieverOptions options)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        Add(entries, lexical, options.LexicalWeight, level, options);
        Add(entries, dense, options.DenseWeight, level, options);
        var list = new List<Entry>(entries.Values);
        list.Sort(static (a, b) =>
        {
            int c = b.Score.CompareTo(a.Score);
            if (c != 0)
            {
                return c;
            }

            c = a.BestRank.CompareTo(b.BestRank);
            return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
        });
        return list.ConvertAll(e => new RetrievedChunk(e.Chunk, (float)e.Score));
    }

    private static void Add(Dictionary<string, Entry> entries, IReadOnlyList<RetrievedChunk> ranking, float weight, RetrievalLevel level, HybridRetrieverOptions options)
    {
        if (ranking.Count == 0 || weight == 0)
        {
            return;
        }

        float max = float.MinValue, min = float.MaxValue;
        foreach (RetrievedChunk r in ranking)
        {
            max = Math.Max(max, r.Score);
            min = Math.Min(min, r.Score);
        }

        for (int i = 0; i < ranking.Count; i++)
        {
            RetrievedChunk r = ranking[i];
            double contribution = options.Fusion == HybridFusion.ReciprocalRank
                ? weight / (double)(options.RrfK + i + 1)
                : weight * (max > min ? (r.Score - min) / (double)(max - min) : 1.0);
            string key = level == RetrievalLevel.Document ? r.Chunk.DocumentId : r.Chunk.DocumentId + "\u001F" + r.Chunk.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (entries.TryGetValue(key, out Entry? e))
            {
                e.Score += contribution;
                if (i < e.BestRank)
                {
                    e.BestRank = i;
                    e.Chunk = r.Chunk;
                }
            }
            else
            {
                entries[key] = new Entry(key, r.Chunk, contribution, i);
            }
        }
    }

    /// <summary>Greedy MMR over the fused candidates with cosine similarities of the stored chunk vectors.</summary>
    private static List<RetrievedChunk> Mmr(List<RetrievedChunk> candidates, float[] query, VectorIndex vectors, float lambda, int count)
    {
        int dims = vectors.Dimensions;
        float[] q = (float[])query.Clone();
        float norm = TensorPrimitives.Norm(q);
        if (norm > 0)
        {
            TensorPrimitives.Divide(q, norm, q);
        }

        var pool = new List<(RetrievedChunk Result, float[]? Vector, float Relevance)>(candidates.Count);
        foreach (RetrievedChunk c in candidates)
        {
            var v = new float[dims];
            string key = c.Chunk.IndexKey;
            bool found = vectors.TryGetVector(key, v);
            pool.Add((c, found ? v : null, found ? TensorPrimitives.Dot(q, v) : 0f));
        }

        var chosen = new List<(RetrievedChunk Result, float[]? Vector, float Relevance)>(count);
        while (chosen.Count < count && pool.Count > 0)
        {
            int best = 0;
            double bestScore = double.NegativeInfinity;
            for (int i = 0; i < pool.Count; i++)
            {
                double redundancy = 0;
                if (pool[i].Vector is float[] v)
                {
                    foreach ((_, float[]? cv, _) in chosen)
                    {
                        if (cv is not null)
                        {
                            redundancy = Math.Max(redundancy, TensorPrimitives.Dot(v, cv));
                        }
                    }
                }

                double score = (lambda * pool[i].Relevance) - ((1 - lambda) * redundancy);
                if (score > bestScore)
                {
                    bestScore = score;
                    best = i;
                }
            }

            chosen.Add(pool[best]);
            pool.RemoveAt(best);
        }

        var results = chosen.ConvertAll(c => c.Result);
        foreach ((RetrievedChunk r, _, _) in pool)
        {
            results.Add(r);
        }

        return results;
    }

    private async Task<IReadOnlyList<RetrievedChunk>> RerankAsync(IReranker reranker, string query, List<RetrievedChunk> fused, CancellationToken cancellationToken)
    {
        int depth = Math.Min(_options.RerankDepth, fused.Count);
        List<RetrievedChunk> head = fused.GetRange(0, depth);
        IReadOnlyList<RetrievedChunk> reranked;
        try
        {
            reranked = await reranker.RerankAsync(query, head, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            RetrievalLog.RerankerFailed(_logger, ex, query.Length);
            return fused;
        }

        var results = new List<RetrievedChunk>(fused.Count);
        results.AddRange(reranked);
        results.AddRange(fused.Skip(depth));
        return results;
    }

    private static HybridRetrieverOptions Validated(HybridRetrieverOptions? options, bool allowMmr)
    {
        options ??= new HybridRetrieverOptions();
        var errors = new List<string>(options.Validate());
        if (!allowMmr && options.MmrLambda is not null)
        {
            errors.Add("HybridRetrieverOptions.MmrLambda needs chunk vectors: construct the HybridRetriever over a DocumentIndex, or set MmrLambda to null.");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        return new HybridRetrieverOptions
        {
            Fusion = options.Fusion,
            RrfK = options.RrfK,
            LexicalWeight = options.LexicalWeight,
            DenseWeight = options.DenseWeight,
            CandidateCount = options.CandidateCount,
            MmrLambda = options.MmrLambda,
            Reranker = options.Reranker,
            RerankDepth = options.RerankDepth,
        };
    }

    private sealed class Entry(string key, DocumentChunk chunk, double score, int bestRank)
    {
        public string Key { get; } = key;

        public DocumentChunk Chunk { get; set; } = chunk;

        public double Score { get; set; } = score;

        public int BestRank { get; set; } = bestRank;
    }
}
