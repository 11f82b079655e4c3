namespace LlmOps.Metering;

/// <summary>The result of looking up a model in a <see cref="ModelCatalog"/>.</summary>
/// <param name="ModelId">The model id that was looked up (or <c>unknown</c>).</param>
/// <param name="Tier">The model's tier, or the empty tier when unknown.</param>
/// <param name="Price">The price to apply, or <see langword="null"/> when unpriced.</param>
/// <param name="Source">Where <paramref name="Price"/> came from.</param>
/// <param name="Definition">The catalog entry, or <see langword="null"/> when the model is not in the catalog.</param>
public sealed record ResolvedModel(string ModelId, ModelTier Tier, ModelPrice? Price, PriceSource Source, ModelDefinition? Definition);
