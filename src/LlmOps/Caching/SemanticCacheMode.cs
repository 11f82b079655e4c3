namespace LlmOps.Caching;

/// <summary>How one request uses the cache, set with <c>options.WithCacheMode(…)</c>.</summary>
public enum SemanticCacheMode
{
    /// <summary>Exact tier, then semantic tier; store the answer.</summary>
    Default,

    /// <summary>Exact tier only; store the answer.</summary>
    ExactOnly,

    /// <summary>Skip the lookup, call the model, and store the fresh answer.</summary>
    Refresh,

    /// <summary>Neither read nor write the cache.</summary>
    Bypass,
}
