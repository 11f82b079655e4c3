namespace LlmOps.Caching;

/// <summary>
/// The names of every instrument and attribute the cache records. Instruments come from the <c>LlmOps</c> meter
/// (<see cref="Telemetry.LlmOpsTelemetry"/>); the attributes are also added as tags to the request's
/// <see cref="LlmOpsInfo"/>, so the telemetry stage puts them on its span and request metrics.
/// </summary>
public static class CachingTelemetryNames
{
    /// <summary>Counter (<c>long</c>, unit <c>{request}</c>): requests seen by the cache, tagged with <see cref="Status"/>, <see cref="Tier"/> and, on a rejected near match, <see cref="RejectedBy"/>.</summary>
    public const string Requests = "llmops.cache.requests";

    /// <summary>Counter (<c>double</c>, unit <c>{cost}</c>, the price catalog's currency): provider cost avoided by hits, tagged with <see cref="Tier"/>.</summary>
    public const string SavedCost = "llmops.cache.saved_cost";

    /// <summary>Attribute (string): what the cache did: <c>hit</c>, <c>miss</c> or <c>bypass</c>.</summary>
    public const string Status = "llmops.cache.status";

    /// <summary>Attribute (string): the tier that served a hit: <c>exact</c>, <c>semantic</c>, <c>shared</c> (an identical in-flight request), or <c>none</c>.</summary>
    public const string Tier = "llmops.cache.tier";

    /// <summary>Attribute (string): the guard that rejected the semantic candidates of a miss (a <see cref="SemanticCacheGuards"/> name).</summary>
    public const string RejectedBy = "llmops.cache.rejected_by";
}
