using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace LlmOps.Metering;

/// <summary>
/// The models LlmOps knows, with their tiers, limits and prices, plus a price per tier. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// A model id the provider reports with a snapshot suffix or a provider prefix resolves to its catalog entry:
/// <c>gpt-4o-mini-2024-07-18</c>, <c>gpt-3.5-turbo-0125</c>, <c>claude-3-5-sonnet-20241022</c>,
/// <c>gemini-1.5-pro@2024-05-13</c>, <c>claude-3-5-sonnet-latest</c>, <c>meta-llama/llama-3-8b:free</c> and
/// <c>openai/gpt-4o-mini</c> all find their base entry. An exact entry always wins; otherwise suffixes
/// (<c>@…</c>, <c>:…</c>, <c>-latest</c>, <c>-YYYY-MM-DD</c>, <c>-YYYYMMDD</c>, <c>-NNNN</c>, <c>-vN</c>) and
/// <c>provider/</c> prefixes are stripped one at a time and the longest form in the catalog wins.
/// <see cref="ResolvedModel.Definition"/> says which entry priced the call.
/// </para>
/// <para>
/// A model that is not in the catalog is priced at <see cref="DefaultTier"/>'s price when one is set, and is
/// otherwise reported as <see cref="PriceSource.Unpriced"/>: its cost is 0 and the cost record says so. Either way
/// the record is flagged estimated. It is never silently free: a budget reserves for it at
/// <see cref="ReservationPrice"/>, or rejects it when <see cref="RejectUnknownModels"/> is set.
/// </para>
/// </remarks>
public sealed class ModelCatalog
{
    private readonly FrozenDictionary<string, ResolvedModel[]> _models;
    private readonly FrozenDictionary<ModelTier, ModelPrice> _tierPrices;
    private readonly ConcurrentDictionary<string, ResolvedModel[]?> _aliases = new(StringComparer.Ordinal); // ordinal: the record keeps the id as reported
    private const int MaxAliases = 4096;

    /// <summary>Initializes a new instance of the <see cref="ModelCatalog"/> class and validates it.</summary>
    /// <param name="models">The models; a name may appear more than once with different <see cref="ModelDefinition.EffectiveFrom"/> times.</param>
    /// <param name="tierPrices">The price per tier; <see langword="null"/> uses <see cref="DefaultTierPrices"/>.</param>
    /// <param name="defaultTier">The tier used to price models not in the catalog; <see langword="null"/> reports them as unpriced.</param>
    /// <param name="rejectUnknownModels">Whether a budget rejects a call to a model not in the catalog instead of reserving for it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="models"/> is <see langword="null"/>.</exception>
    /// <exception cref="ModelCatalogException">A price is invalid; the message names the model and the field.</exception>
    public ModelCatalog(
        IEnumerable<ModelDefinition> models,
        IReadOnlyDictionary<ModelTier, ModelPrice>? tierPrices = null,
        ModelTier? defaultTier = null,
        bool rejectUnknownModels = false)
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
        RejectUnknownModels = rejectUnknownModels;
        ReservationPrice = defaultTier is { } dt ? tiers[dt] : MostExpensive(tiers.Values);
        _models = list
            .GroupBy(static m => m.Name, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(
                static g => g.Key,
                g => g.OrderByDescending(static m => m.EffectiveFrom ?? DateTimeOffset.MinValue).Select(Resolve).ToArray(),
                StringComparer.OrdinalIgnoreCase);
        Models = list;
        HasGpuPrices = tiers.Values.Any(static p => p?.GpuPerSecond is not null) || list.Exists(static m => m.Price?.GpuPerSecond is not null);

        ResolvedModel Resolve(ModelDefinition m) => m.Price is not null
            ? new ResolvedModel(m.Name, m.Tier, m.Price, PriceSource.Model, m)
            : new ResolvedModel(m.Name, m.Tier, _tierPrices[m.Tier], PriceSource.Tier, m);
    }

    /// <summary>Gets a value indicating whether any model or tier is priced per GPU second (metering times calls only then).</summary>
    internal bool HasGpuPrices { get; }

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

    /// <summary>
    /// Gets the price a budget reserves at for a model not in the catalog: <see cref="DefaultTier"/>'s price, or
    /// when there is none the most expensive tier price; <see langword="null"/> only when there are no tier prices.
    /// </summary>
    public ModelPrice? ReservationPrice { get; }

    /// <summary>Gets a value indicating whether a budget rejects a call to a model not in the catalog (with <see cref="UnknownModelException"/>) instead of reserving for it at <see cref="ReservationPrice"/>.</summary>
    public bool RejectUnknownModels { get; }

    /// <summary>Looks up a model and the price that applies at <paramref name="at"/>.</summary>
    /// <param name="modelId">The model id; <see langword="null"/> or empty is treated as an unknown model.</param>
    /// <param name="at">The time the call was made, for definitions with an effective date; <see langword="null"/> takes the newest.</param>
    /// <returns>The model, its tier and its price; never <see langword="null"/>.</returns>
    public ResolvedModel Resolve(string? modelId, DateTimeOffset? at = null)
    {
        if (string.IsNullOrEmpty(modelId))
        {
            return Unknown("unknown");
        }

        if (!_models.TryGetValue(modelId, out var versions))
        {
            versions = ResolveAlias(modelId);
            if (versions is null)
            {
                return Unknown(modelId);
            }
        }

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

    /// <summary>Returns the forms of a model id to look up, longest first: prefixes and snapshot suffixes stripped one at a time.</summary>
    internal static List<string> CandidateIds(string modelId)
    {
        var forms = new List<string>();
        var start = 0;
        while (true)
        {
            var form = modelId[start..];
            while (form.Length > 0)
            {
                if (!forms.Contains(form))
                {
                    forms.Add(form);
                }

                var shorter = StripSuffix(form);
                if (shorter is null)
                {
                    break;
                }

                form = shorter;
            }

            var slash = modelId.IndexOf('/', start);
            if (slash < 0 || slash == modelId.Length - 1)
            {
                break;
            }

            start = slash + 1;
        }

        // Stable: among equal lengths, the form that kept more of the id first.
        var ordered = forms.Select((f, i) => (f, i)).OrderByDescending(static x => x.f.Length).ThenBy(static x => x.i).Select(static x => x.f).ToList();
        return ordered;
    }

    private static string? StripSuffix(string id)
    {
        var at = id.LastIndexOf('@');
        if (at > 0)
        {
            return id[..at];
        }

        var colon = id.LastIndexOf(':');
        if (colon > 0)
        {
            return id[..colon];
        }

        if (id.EndsWith("-latest", StringComparison.OrdinalIgnoreCase) && id.Length > 7)
        {
            return id[..^7];
        }

        // -YYYY-MM-DD
        if (id.Length > 11 && id[^11] == '-' && id[^6] == '-' && id[^3] == '-'
            && AllDigits(id.AsSpan(id.Length - 10, 4)) && AllDigits(id.AsSpan(id.Length - 5, 2)) && AllDigits(id.AsSpan(id.Length - 2, 2)))
        {
            return id[..^11];
        }

        // -YYYYMMDD and -MMDD snapshot dates, -vN revisions.
        var dash = id.LastIndexOf('-');
        if (dash > 0)
        {
            var tail = id.AsSpan(dash + 1);
            if ((tail.Length is 4 or 8 && AllDigits(tail)) || (tail.Length >= 2 && tail[0] is 'v' or 'V' && AllDigits(tail[1..])))
            {
                return id[..dash];
            }
        }

        return null;

        static bool AllDigits(ReadOnlySpan<char> s)
        {
            foreach (var c in s)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }
            }

            return s.Length > 0;
        }
    }

    private ResolvedModel[]? ResolveAlias(string modelId)
    {
        if (_aliases.TryGetValue(modelId, out var cached))
        {
            return cached;
        }

        ResolvedModel[]? found = null;
        foreach (var candidate in CandidateIds(modelId))
        {
            if (_models.TryGetValue(candidate, out var versions))
            {
                // The record keeps the id the provider reported; Definition names the entry that priced it.
                found = Array.ConvertAll(versions, v => v with { ModelId = modelId });
                break;
            }
        }

        if (_aliases.Count < MaxAliases)
        {
            _aliases.TryAdd(modelId, found);
        }

        return found;
    }

    private static ModelPrice? MostExpensive(IEnumerable<ModelPrice> prices)
    {
        ModelPrice? max = null;
        foreach (var p in prices)
        {
            if (max is null || p.Input + p.Output > max.Input + max.Output)
            {
                max = p;
            }
        }

        return max;
    }

    private ResolvedModel Unknown(string modelId) => DefaultTier is { } tier
        ? new ResolvedModel(modelId, tier, _tierPrices[tier], PriceSource.Tier, null)
        : new ResolvedModel(modelId, default, null, PriceSource.Unpriced, null);
}
