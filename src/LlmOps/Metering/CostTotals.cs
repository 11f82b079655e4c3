namespace LlmOps.Metering;

/// <summary>Sums over ledger records.</summary>
/// <param name="Attempts">The number of records.</param>
/// <param name="InputTokens">Uncached input tokens.</param>
/// <param name="CachedInputTokens">Cached input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="Cost">The cost in USD.</param>
/// <param name="EstimatedAttempts">Records whose counts were (partly) estimated.</param>
public readonly record struct CostTotals(
    long Attempts, long InputTokens, long CachedInputTokens, long OutputTokens, decimal Cost, long EstimatedAttempts);
