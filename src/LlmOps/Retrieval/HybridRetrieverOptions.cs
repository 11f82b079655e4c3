using LlmOps.DependencyInjection;

namespace LlmOps.Retrieval;

/// <summary>Options for <see cref="HybridRetriever"/>.</summary>
public sealed class HybridRetrieverOptions : IValidatableOptions
{
    /// <summary>The default <see cref="RrfK"/>: 60 (the value of the original RRF paper).</summary>
    public const int DefaultRrfK = 60;

    /// <summary>The default <see cref="CandidateCount"/>: 100.</summary>
    public const int DefaultCandidateCount = 100;

    /// <summary>The default <see cref="RerankDepth"/>: 20.</summary>
    public const int DefaultRerankDepth = 20;

    /// <summary>Gets or sets how the two rankings are combined.</summary>
    /// <value>The default value is <see cref="HybridFusion.ReciprocalRank"/>.</value>
    public HybridFusion Fusion { get; set; } = HybridFusion.ReciprocalRank;

    /// <summary>Gets or sets k of Reciprocal Rank Fusion; larger values flatten the advantage of the top ranks.</summary>
    /// <value>The default value is <see cref="DefaultRrfK"/>.</value>
    public int RrfK { get; set; } = DefaultRrfK;

    /// <summary>Gets or sets the weight of the lexical (BM25) ranking.</summary>
    /// <value>The default value is 1.</value>
    public float LexicalWeight { get; set; } = 1f;

    /// <summary>Gets or sets the weight of the dense ranking.</summary>
    /// <value>The default value is 1.</value>
    public float DenseWeight { get; set; } = 1f;

    /// <summary>Gets or sets how many results each ranking contributes before fusion (at least the query's top).</summary>
    /// <value>The default value is <see cref="DefaultCandidateCount"/>.</value>
    public int CandidateCount { get; set; } = DefaultCandidateCount;

    /// <summary>
    /// Gets or sets λ of Maximal Marginal Relevance diversification, in (0, 1]: each next result maximises
    /// <c>λ·sim(query, d) − (1 − λ)·max sim(d, chosen)</c> over the fused candidates. <see langword="null"/> turns MMR off.
    /// Needs chunk vectors, so only a retriever over a <see cref="DocumentIndex"/> with embeddings supports it.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (off).</value>
    public float? MmrLambda { get; set; }

    /// <summary>Gets or sets a reranker applied to the best <see cref="RerankDepth"/> fused results.</summary>
    /// <value>The default value is <see langword="null"/> (none).</value>
    public IReranker? Reranker { get; set; }

    /// <summary>Gets or sets how many of the best fused results the reranker sees.</summary>
    /// <value>The default value is <see cref="DefaultRerankDepth"/>.</value>
    public int RerankDepth { get; set; } = DefaultRerankDepth;

    /// <summary>Returns one message per invalid value; empty when the options are valid.</summary>
    /// <returns>The problems, each naming the option, its value and the allowed range.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(Fusion))
        {
            errors.Add($"HybridRetrieverOptions.Fusion must be ReciprocalRank or WeightedScore; was {Fusion}.");
        }

        if (RrfK < 0)
        {
            errors.Add($"HybridRetrieverOptions.RrfK must be >= 0; was {RrfK}.");
        }

        if (!float.IsFinite(LexicalWeight) || LexicalWeight < 0)
        {
            errors.Add($"HybridRetrieverOptions.LexicalWeight must be a finite number >= 0; was {LexicalWeight}.");
        }

        if (!float.IsFinite(DenseWeight) || DenseWeight < 0)
        {
            errors.Add($"HybridRetrieverOptions.DenseWeight must be a finite number >= 0; was {DenseWeight}.");
        }

        if (LexicalWeight == 0 && DenseWeight == 0)
        {
            errors.Add("HybridRetrieverOptions.LexicalWeight and DenseWeight must not both be 0.");
        }

        if (CandidateCount < 1)
        {
            errors.Add($"HybridRetrieverOptions.CandidateCount must be at least 1; was {CandidateCount}.");
        }

        if (MmrLambda is float lambda && (!float.IsFinite(lambda) || lambda <= 0 || lambda > 1))
        {
            errors.Add($"HybridRetrieverOptions.MmrLambda must be in (0, 1] or null; was {lambda}.");
        }

        if (RerankDepth < 1)
        {
            errors.Add($"HybridRetrieverOptions.RerankDepth must be at least 1; was {RerankDepth}.");
        }

        return errors;
    }
}
