namespace LlmOps.Metering;

/// <summary>
/// The cost of one provider attempt: what <c>response.GetCost()</c> returns and what the <see cref="ICostLedger"/>
/// stores. Money is in USD, as <see langword="decimal"/>, unrounded.
/// </summary>
public sealed record CostRecord
{
    /// <summary>Gets the request id (<see cref="LlmOpsInfo.RequestId"/>); attempts of one request share it.</summary>
    public string RequestId { get; init; } = string.Empty;

    /// <summary>Gets the attempt number within the request, starting at 1 (retries, fallbacks and cascades add attempts).</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Gets when the attempt started.</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the scope (tenant, user, feature) of the request.</summary>
    public LlmOpsScope Scope { get; init; }

    /// <summary>Gets the model id that was priced.</summary>
    public string Model { get; init; } = string.Empty;

    /// <summary>
    /// Gets the catalog entry that priced the call (for example <c>gpt-4o-mini</c> for a reported
    /// <c>gpt-4o-mini-2024-07-18</c>), or <see langword="null"/> when the model is not in the catalog and was priced at
    /// the default tier or not at all.
    /// </summary>
    public string? PricedAs { get; init; }

    /// <summary>Gets the model's tier, or the empty tier when the model is unknown.</summary>
    public ModelTier Tier { get; init; }

    /// <summary>Gets the uncached input tokens.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the cached input tokens (priced at the cached-input price).</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Gets the output tokens (reasoning tokens included).</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the GPU time priced for self-hosted models, or <see cref="TimeSpan.Zero"/>.</summary>
    public TimeSpan GpuTime { get; init; }

    /// <summary>Gets the cost in USD.</summary>
    public decimal Cost { get; init; }

    /// <summary>Gets where the price came from; <see cref="PriceSource.Unpriced"/> means <see cref="Cost"/> is 0 because no price is known.</summary>
    public PriceSource PriceSource { get; init; }

    /// <summary>Gets a value indicating whether a price was found (the cost is real, not a placeholder 0).</summary>
    public bool IsPriced => PriceSource != PriceSource.Unpriced;

    /// <summary>
    /// Gets a value indicating whether the record is an estimate: a token count was counted with the tokenizer rather
    /// than reported by the provider, or the model is not in the catalog (priced at the default tier, or unpriced).
    /// </summary>
    public bool IsEstimated { get; init; }

    /// <summary>Gets a value indicating whether the call completed; <see langword="false"/> for a faulted, cancelled or abandoned call.</summary>
    public bool IsComplete { get; init; } = true;

    /// <summary>Gets the prompt name, when the prompts stage recorded one.</summary>
    public string? PromptName { get; init; }

    /// <summary>Gets the prompt version, when the prompts stage recorded one.</summary>
    public string? PromptVersion { get; init; }

    /// <summary>Gets the total token count (input, cached input and output).</summary>
    public long TotalTokens => InputTokens + CachedInputTokens + OutputTokens;
}
