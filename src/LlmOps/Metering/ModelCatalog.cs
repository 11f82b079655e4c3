using System.Collections.Frozen;

namespace LlmOps.Metering;

/// <summary>
/// The models LlmOps knows, with their tiers, limits and prices, plus a price per tier. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// A model that is not in the catalog is priced at <see cref="DefaultTier"/>'s price when one is set, and is
/// otherwise reported as <see cref="PriceSource.Unpriced"/>: its cost is 0 and the cost record says so. It is
/// never silently free.
/// </remarks>
public sealed class ModelCatalog
{
    private readonly FrozenDictionary<string, ResolvedModel[]> _models;
    private readonly FrozenDictionary<ModelTier, ModelPrice> _tierPrices;

    /// <summary>Initializes a new instance of the <see cref="ModelCatalog"/> class and validates it.</summary>
    /// <param name="models">The models; a name may appear more than once with different <see cref="ModelDefinition.EffectiveFrom"/> times.</param>
    /// <param name="tierPrices">The price per tier; <see langword="null"/> uses <see cref="DefaultTierPrices"/>.</param>
    /// <param name="defaultTier">The tier used to price models not in the catalog; <see langword="null"/> reports them as unpriced.</param>
    /// <exception cref="ArgumentNullException"><paramref name="models"/> is <see langword="null"/>.</exception>
    /// <exception cref="ModelCatalogException">A price is invalid; the message names the model and the field.</exception>
    public ModelCatalog(
        IEnumerable<ModelDefinition> models,
        IReadOnlyDictionary<ModelTier, ModelPrice>? tierPrices = null,
        ModelTier? defaultTier = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        var list = models.ToList();
        var tiers = (tierPrices ?? DefaultTierPrices).ToFrozenDictionary();
        var errors = new List<string>();
        foreach (var tier in tiers)
        {
            if (tier.Key.IsEmpty)
            {
                errors.Add("A tier price has an empty tier name; give every tier a name.");
            }

            if (tier.Value is null)
            {
                errors.Add($"The price of tier '{tier.Key}' is null; set a price or remove the tier.");
            }
            else
            {
                errors.AddRange(tier.Value.Validate($"tier '{tier.Key}'"));
            }
        }

        foreach (var model in list)
        {
            if (model is null)
            {
                errors.Add("The model list contains a null entry; remove it.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(model.Name))
            {
                errors.Add("A model has an empty Name; set the model id the provider reports.");
                continue;
            }

            if (model.Tier.IsEmpty)
            {
                errors.Add($"Model '{model.Name}' has an empty Tier; use Small, Medium, Large or a custom tier name.");
            }

            if (model.Price is not null)
            {
                errors.AddRange(model.Price.Validate($"model '{model.Name}'"));
            }
            else if (!model.Tier.IsEmpty && !tiers.ContainsKey(model.Tier))
            {
                errors.Add($"Model '{model.Name}' has no Price and its tier '{model.Tier}' has no tier price; set either.");
            }

            if (model.ContextWindow <= 0)
            {
                errors.Add($"Model '{model.Name}' has ContextWindow {model.ContextWindow}; it must be positive.");
            }

            if (model.MaxOutputTokens <= 0)
            {
                errors.Add($"Model '{model.Name}' has MaxOutputTokens {model.MaxOutputTokens}; it must be positive.");
            }
        }

        if (defaultTier is { } d && !tiers.ContainsKey(d))
        {
            errors.Add($"The default tier '{d}' has no tier price; add one or choose another tier.");
        }

        if (errors.Count > 0)
        {
            throw new ModelCatalogException(errors);
        }

        _tierPrices = tiers;
        DefaultTier = defaultTier;
        _models = list
            .GroupBy(static m => m.Name, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(
                static g => g.Key,
                g => g.OrderByDescending(static m => m.EffectiveFrom ?? DateTimeOffset.MinValue).Select(Resolve).ToArray(),
                StringComparer.OrdinalIgnoreCase);
        Models = list;

        ResolvedModel Resolve(ModelDefinition m) => m.Price is not null
            ? new ResolvedModel(m.Name, m.Tier, m.Price, PriceSource.Model, m)
            : new ResolvedModel(m.Name, m.Tier, _tierPrices[m.Tier], PriceSource.Tier, m);
    }

    /// <summary>Gets the default tier prices: Small 0.50, Medium 3.00, Large 15.00 USD per 1M tokens (input and output).</summary>
    public static IReadOnlyDictionary<ModelTier, ModelPrice> DefaultTierPrices { get; } = new Dictionary<ModelTier, ModelPrice>
    {
        [ModelTier.Small] = ModelPrice.Flat(0.50m),
        [ModelTier.Medium] = ModelPrice.Flat(3.00m),
        [ModelTier.Large] = ModelPrice.Flat(15.00m),
    };

    /// <summary>Gets a catalog with no models, the default tier prices, and no default tier (unknown models are unpriced).</summary>
    public static ModelCatalog Default { get; } = new([]);

    /// <summary>Gets the models, as given.</summary>
    public IReadOnlyList<ModelDefinition> Models { get; }

    /// <summary>Gets the price per tier.</summary>
    public IReadOnlyDictionary<ModelTier, ModelPrice> TierPrices => _tierPrices;

    /// <summary>Gets the tier used to price models not in the catalog, or <see langword="null"/> to report them as unpriced.</summary>
    public ModelTier? DefaultTier { get; }

    /// <summary>Looks up a model and the price that applies at <paramref name="at"/>.</summary>
    /// <param name="modelId">The model id; <see langword="null"/> or empty is treated as an unknown model.</param>
    /// <param name="at">The time the call was made, for definitions with an effective date; <see langword="null"/> takes the newest.</param>
    /// <returns>The model, its tier and its price; never <see langword="null"/>.</returns>
    public ResolvedModel Resolve(string? modelId, DateTimeOffset? at = null)
    {
        if (modelId is not null && _models.TryGetValue(modelId, out var versions))
        {
            if (at is not { } time)
            {
                return versions[0];
            }

            foreach (var version in versions)
            {
                if (version.Definition!.EffectiveFrom is not { } from || from <= time)
                {
                    return version;
                }
            }

            // Every definition starts later: the model was not yet priced at that time.
            return Unknown(modelId);
        }

        return Unknown(string.IsNullOrEmpty(modelId) ? "unknown" : modelId);
    }

    private ResolvedModel Unknown(string modelId) => DefaultTier is { } tier
        ? new ResolvedModel(modelId, tier, _tierPrices[tier], PriceSource.Tier, null)
        : new ResolvedModel(modelId, default, null, PriceSource.Unpriced, null);
}
