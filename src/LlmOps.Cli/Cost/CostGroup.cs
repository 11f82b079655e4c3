namespace LlmOps.Cli.Cost;

/// <summary>One row of a cost report: a model, scope, tenant, feature, prompt or day.</summary>
/// <param name="Key">The group's key.</param>
/// <param name="Requests">Distinct request ids.</param>
/// <param name="Attempts">Provider attempts (ledger records).</param>
/// <param name="InputTokens">Uncached input tokens.</param>
/// <param name="CachedInputTokens">Cached input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="Cost">The cost in USD.</param>
/// <param name="Share">The share of the report's total cost, in [0, 1].</param>
/// <param name="EstimatedAttempts">Attempts whose counts or price were estimated.</param>
internal sealed record CostGroup(string Key, int Requests, int Attempts, long InputTokens, long CachedInputTokens, long OutputTokens, decimal Cost, double Share, int EstimatedAttempts);
