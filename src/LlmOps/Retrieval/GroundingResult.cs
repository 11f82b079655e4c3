namespace LlmOps.Retrieval;

/// <summary>What the grounding stage did for one answer: the sources it gave, the citations and the support it found. Read it with <c>response.GetGrounding()</c>.</summary>
public sealed class GroundingResult
{
    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    internal GroundingResult(IReadOnlyList<GroundingSource> sources, double relevance, bool refused, bool thin, int contextTokens, int droppedSources)
    {
        Sources = sources;
        Relevance = relevance;
        Refused = refused;
        Thin = thin;
        ContextTokens = contextTokens;
        DroppedSources = droppedSources;
    }

    /// <summary>Gets the numbered sources given to the model (empty when none survived).</summary>
    public IReadOnlyList<GroundingSource> Sources { get; internal set; }

    /// <summary>
    /// Gets how likely the sources are to hold the answer, in [0, 1] (the score <see cref="GroundingOptions.MinRelevance"/>
    /// is compared with); 0 when no source survived.
    /// </summary>
    public double Relevance { get; }

    /// <summary>
    /// Gets the highest cosine between the question's embedding and a source's chunk embedding (the value
    /// <see cref="GroundingOptions.MinSimilarity"/> is compared with); <see langword="null"/> when the index has no
    /// embeddings or there was nothing to measure.
    /// </summary>
    public double? Similarity => SufficiencyFeatures?.MaxCosine;

    /// <summary>The best source's sufficiency features, for calibration checks; <see langword="null"/> when there was nothing to measure.</summary>
    internal ContextSufficiency.Features? SufficiencyFeatures { get; init; }

    /// <summary>Gets a value indicating whether the stage answered with the refusal text, without a provider call.</summary>
    public bool Refused { get; }

    /// <summary>Gets a value indicating whether the context was too thin (the answer, if any, is ungrounded).</summary>
    public bool Thin { get; }

    /// <summary>Gets the value of the request's <see cref="GroundingTelemetryNames.GroundedAttribute"/> tag: a boxed <see cref="bool"/>, <see langword="true"/> unless the context was thin.</summary>
    internal object GroundedTag => Thin ? BoxedFalse : BoxedTrue;

    /// <summary>Gets the tokens of the inserted sources.</summary>
    public int ContextTokens { get; }

    /// <summary>Gets how many retrieved sources an input guardrail rejected (retrieved text is untrusted).</summary>
    public int DroppedSources { get; }

    /// <summary>Gets the answer's sentences with their citations and support; empty until the answer is complete.</summary>
    public IReadOnlyList<GroundingSentence> Sentences { get; internal set; } = [];

    /// <summary>Gets the share of answer sentences the sources support (1 when the answer has no sentence).</summary>
    public double GroundedFraction { get; internal set; } = 1;

    /// <summary>Gets a value indicating whether any sentence is unsupported (what <c>llmops.grounding.hallucination_rate</c> counts).</summary>
    public bool HasUnsupportedSentences { get; internal set; }
}
