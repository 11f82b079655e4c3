namespace LlmOps.Caching;

/// <summary>Which tier served a hit.</summary>
public enum SemanticCacheTier
{
    /// <summary>No tier: a miss or a bypass.</summary>
    None,

    /// <summary>The exact tier: every answer-changing field was identical.</summary>
    Exact,

    /// <summary>The semantic tier: a similar question in the same scope and context passed the threshold and the guards.</summary>
    Semantic,

    /// <summary>An identical request was already in flight; its answer was shared (single-flight).</summary>
    Shared,
}
