namespace LlmOps.Retrieval;

/// <summary>
/// The telemetry names of retrieval and grounding: instruments on the <c>LlmOps</c> meter, the activity name and the
/// attribute keys. Every name that these concerns emit is a constant here.
/// </summary>
public static class GroundingTelemetryNames
{
    /// <summary>Histogram, seconds: the duration of one retrieval (query embedding, search, fusion, reranking).</summary>
    public const string RetrievalDuration = "llmops.retrieval.duration";

    /// <summary>Histogram, {chunk}: the number of results one retrieval returned.</summary>
    public const string RetrievalResults = "llmops.retrieval.results";

    /// <summary>Counter, {chunk}: chunks embedded during ingestion (reused chunks are not counted).</summary>
    public const string ChunksEmbedded = "llmops.retrieval.chunks_embedded";

    /// <summary>Histogram, {token}: context tokens a grounded request carried.</summary>
    public const string ContextTokens = "llmops.grounding.context_tokens";

    /// <summary>Counter, {request}: requests answered with "not enough information".</summary>
    public const string Refusals = "llmops.grounding.refusals";

    /// <summary>Gauge-like histogram, ratio in [0, 1]: answers with an unsupported sentence over grounded answers.</summary>
    public const string HallucinationRate = "llmops.grounding.hallucination_rate";

    /// <summary>Activity name of one retrieval.</summary>
    public const string RetrieveActivity = "llmops.retrieve";

    /// <summary>Attribute, string: the retrieval method (<c>bm25</c>, <c>dense</c>, <c>hybrid</c>, <c>vector_store</c>).</summary>
    public const string MethodAttribute = "llmops.retrieval.method";

    /// <summary>Attribute, string: the retrieval level (<c>chunk</c> or <c>document</c>).</summary>
    public const string LevelAttribute = "llmops.retrieval.level";

    /// <summary>Attribute on the request's metrics: whether the answer was grounded (the context was not too thin).</summary>
    public const string GroundedAttribute = "llmops.grounding.grounded";
}
