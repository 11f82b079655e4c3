using System.Buffers;
using System.Numerics.Tensors;
using Microsoft.Extensions.Logging;

namespace LlmOps.Retrieval;

/// <summary>
/// Estimates whether the sources fitted into a grounded request are enough to answer the question: the grounding
/// stage's refusal decision (<see cref="GroundingOptions.MinRelevance"/>).
/// </summary>
/// <remarks>
/// <para>
/// Per source it measures the <b>IDF-weighted coverage</b> of the question's content terms (a term weighs
/// <c>ln(1 + (N - df + 0.5) / (df + 0.5))</c>, the BM25 IDF over the chunks of the request's scope, so a source
/// that holds the question's rare terms counts far more than one that shares its common words) and, when the index
/// has embeddings, the <b>cosine similarity</b> of the source's stored chunk vector to the question's embedding (the
/// vector dense or hybrid retrieval just computed, so nothing is embedded twice). The best source's feature (coverage,
/// or the mean of coverage and cosine) goes through a logistic curve whose two constants were fitted on SciFact's
/// train claims, with their cited abstracts present versus removed (see tests/LlmOps.Quality,
/// GroundingRefusalQualityTests); the result is in [0, 1], higher meaning more likely to hold the answer.
/// </para>
/// <para>
/// With embeddings, a source set whose most similar source is below <see cref="GroundingOptions.MinSimilarity"/> is thin
/// whatever its coverage: a short question off the corpus's topic ("What is the capital of Canada?") can find all of
/// its two or three content terms in one unrelated abstract, but not an abstract that means anything like it.
/// </para>
/// <para>
/// Without a <see cref="DocumentIndex"/> behind the retriever (a custom <see cref="IRetriever"/>), every term weighs
/// the same and the lexical curve applies. A failure to embed the question is logged once (EventId 1651) and the
/// lexical curve applies.
/// </para>
/// </remarks>
internal sealed class ContextSufficiency
{
    // Logistic fits (maximum likelihood) on SciFact train, 809 claims x {evidence present, removed}: lexical on BM25
    // retrieval, dense on hybrid retrieval. See GroundingRefusalQualityTests for the refit that prints them.
    internal const double LexicalIntercept = -2.445;
    internal const double LexicalSlope = 4.124;
    internal const double DenseIntercept = -3.384;
    internal const double DenseSlope = 5.947;

    // One term sink per thread: a question's weights are collected without allocating per term.
    [ThreadStatic]
    private static IdfSink? t_idfSink;

    private readonly GroundednessScorer _scorer;
    private readonly DocumentIndex? _index;
    private readonly ILogger _logger;

    public ContextSufficiency(GroundednessScorer scorer, DocumentIndex? index, ILogger logger)
    {
        _scorer = scorer;
        _index = index;
        _logger = logger;
    }

    /// <summary>
    /// The features of the best source, before the logistic curve, and the highest cosine of any source (the
    /// similarity floor, <see cref="GroundingOptions.MinSimilarity"/>); the cosines are <see langword="null"/> without embeddings.
    /// </summary>
    internal readonly record struct Features(double Coverage, double? Cosine, double? MaxCosine = null)
    {
        /// <summary>The feature the curve reads: coverage, or the mean of coverage and cosine.</summary>
        public double Combined => Cosine is double c ? (Coverage + c) / 2 : Coverage;

        /// <summary>The score in [0, 1].</summary>
        public double Score => Cosine is null
            ? Logistic(LexicalIntercept + (LexicalSlope * Coverage))
            : Logistic(DenseIntercept + (DenseSlope * Combined));
    }

    /// <summary>
    /// The best source's features (their <see cref="Features.Score"/> is the relevance), or <see langword="null"/> when
    /// there is no source or the question has no content term (relevance 0).
    /// </summary>
    /// <param name="question">The question.</param>
    /// <param name="chunks">The sources' chunks.</param>
    /// <param name="analyses">
    /// The sources as the model sees them (after any redaction), with their titles, analysed by the same scorer; same
    /// order as <paramref name="chunks"/>.
    /// </param>
    /// <param name="scope">The request's scope (term statistics are per scope).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    public async ValueTask<Features?> MeasureAsync(
        string question, IReadOnlyList<DocumentChunk> chunks, IReadOnlyList<SourceAnalysis> analyses, string? scope, CancellationToken cancellationToken)
    {
        if (chunks.Count == 0)
        {
            return null;
        }

        var weights = Weights(question, scope);
        if (weights.Length == 0)
        {
            return null;
        }

        float[]? query = await QueryVectorAsync(question, cancellationToken).ConfigureAwait(false);
        return Best(weights, query, chunks, analyses);
    }

    /// <summary>The best source's features (synchronous, so the chunk-vector buffer can be pooled).</summary>
    private Features Best((ulong Term, double Weight)[] weights, float[]? query, IReadOnlyList<DocumentChunk> chunks, IReadOnlyList<SourceAnalysis> analyses)
    {
        var rented = query is null ? null : ArrayPool<float>.Shared.Rent(query.Length);
        var vector = rented.AsSpan(0, query?.Length ?? 0);
        double bestCoverage = 0, bestCombined = double.MinValue;
        double? bestCosine = null, maxCosine = null;
        for (var i = 0; i < chunks.Count; i++)
        {
            var analysis = analyses[i];
            double covered = 0, total = 0;
            foreach (var (term, weight) in weights)
            {
                total += weight;
                covered += analysis.HasTermInTextOrTitle(term) ? weight : 0;
            }

            var coverage = total > 0 ? covered / total : 0;
            double? cosine = null;
            if (query is not null)
            {
                cosine = _index!.TryGetVector(chunks[i], vector) ? Math.Max(0, TensorPrimitives.CosineSimilarity(query, vector)) : 0;
                maxCosine = Math.Max(maxCosine ?? 0, cosine.Value);
            }

            var combined = new Features(coverage, cosine).Combined;
            if (combined > bestCombined)
            {
                (bestCombined, bestCoverage, bestCosine) = (combined, coverage, cosine);
            }
        }

        if (rented is not null)
        {
            ArrayPool<float>.Shared.Return(rented);
        }

        return new Features(bestCoverage, bestCosine, maxCosine);
    }

    /// <summary>The question's distinct content terms (hashed) with their weights: BM25 IDF in the scope, or 1 without an index.</summary>
    private (ulong Term, double Weight)[] Weights(string question, string? scope)
    {
        double n = _index?.Lexical.CountInScope(scope) ?? 0;
        if (n == 0)
        {
            // Every term weighs the same: the hashes alone will do.
            var sink = TermHashSink.Rent();
            try
            {
                _scorer.AnalyzeTerms(question, sink);
                var hashes = sink.SortUnique();
                var equal = new (ulong, double)[hashes.Length];
                for (var j = 0; j < hashes.Length; j++)
                {
                    equal[j] = (hashes[j], 1);
                }

                return equal;
            }
            finally
            {
                TermHashSink.Return(sink);
            }
        }

        // The terms are looked up as characters, straight from the analyzer: no string per term and no set of strings.
        var idf = t_idfSink ??= new IdfSink();
        idf.Start(_index!.Lexical, scope, n);
        try
        {
            _scorer.AnalyzeTerms(question, idf);
            return idf.Weights.ToArray();
        }
        finally
        {
            idf.Start(null, null, 0);
        }
    }

    private async ValueTask<float[]?> QueryVectorAsync(string question, CancellationToken cancellationToken)
    {
        if (_index?.EmbeddingGenerator is null || _index.Vectors is null)
        {
            return null;
        }

        try
        {
            return await _index.EmbedQueryAsync(question, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            GroundingLog.SufficiencyEmbeddingFailed(_logger, ex);
            return null;
        }
    }

    private static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>Receives a question's terms and keeps each distinct one's hash with its BM25 IDF in the scope.</summary>
    private sealed class IdfSink : ITermSink
    {
        private Bm25Index? _index;
        private string? _scope;
        private double _n;

        public List<(ulong Term, double Weight)> Weights { get; } = [];

        public void Start(Bm25Index? index, string? scope, double n)
        {
            (_index, _scope, _n) = (index, scope, n);
            Weights.Clear();
        }

        public void Add(ReadOnlySpan<char> term)
        {
            var hash = TermHashes.Of(term);
            foreach (var (known, _) in Weights)
            {
                if (known == hash)
                {
                    return;
                }
            }

            double df = _index!.DocumentFrequency(term, _scope);
            Weights.Add((hash, Math.Log(1 + ((_n - df + 0.5) / (df + 0.5)))));
        }
    }
}
