namespace LlmOps.Metering;

/// <summary>One model in the <see cref="ModelCatalog"/>: its name, tier, limits and prices.</summary>
/// <param name="Name">The model id as the provider reports it (for example <c>gpt-4o-mini</c>); compared case-insensitively.</param>
/// <param name="Tier">The model's tier.</param>
/// <param name="Price">The model's prices; <see langword="null"/> uses the tier's price.</param>
public sealed record ModelDefinition(string Name, ModelTier Tier, ModelPrice? Price = null)
{
    /// <summary>Gets the context window in tokens, or <see langword="null"/> when unknown.</summary>
    public int? ContextWindow { get; init; }

    /// <summary>
    /// Gets the largest number of output tokens the model produces, used for the worst-case budget reservation
    /// when a request sets no <c>MaxOutputTokens</c>; <see langword="null"/> uses <see cref="CostMeteringOptions.DefaultMaxOutputTokens"/>.
    /// </summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>
    /// Gets the time from which this definition applies (for example a price file's effective date);
    /// <see langword="null"/> applies always. When a model has several definitions, the newest one already in effect wins.
    /// </summary>
    public DateTimeOffset? EffectiveFrom { get; init; }
}
