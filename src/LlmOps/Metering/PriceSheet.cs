using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace LlmOps.Metering;

/// <summary>
/// A set of model prices loaded from a JSON price file or an <see cref="IConfiguration"/> section, with the date
/// from which they apply.
/// </summary>
/// <remarks>
/// <para>The JSON file and the configuration section share one shape (property names are case-insensitive):</para>
/// <code>
/// {
///   "effectiveDate": "2026-12-01T00:00:00Z",
///   "defaultTier": "Medium",
///   "tiers":  { "Small": { "input": 0.5, "output": 0.5 } },
///   "models": { "gpt-4o": { "tier": "Large", "input": 2.5, "cachedInput": 1.25, "output": 10,
///                           "contextWindow": 128000, "maxOutputTokens": 16384, "gpuPerSecond": null, "currency": "USD" } }
/// }
/// </code>
/// <para>
/// Prices are per 1M tokens. Every model takes the sheet's effective date as its
/// <see cref="ModelDefinition.EffectiveFrom"/>, so a sheet published ahead of a price change applies from that date.
/// </para>
/// </remarks>
/// <param name="EffectiveDate">The time from which the prices apply, or <see langword="null"/> for always.</param>
/// <param name="Models">The models.</param>
/// <param name="TierPrices">Tier prices that override the defaults.</param>
/// <param name="DefaultTier">The tier for models not in the catalog, or <see langword="null"/>.</param>
public sealed record PriceSheet(
    DateTimeOffset? EffectiveDate,
    IReadOnlyList<ModelDefinition> Models,
    IReadOnlyDictionary<ModelTier, ModelPrice> TierPrices,
    ModelTier? DefaultTier)
{
    /// <summary>Loads a JSON price file.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The sheet.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelCatalogException">The file is not valid JSON or a price is invalid; the message names the model and field.</exception>
    public static PriceSheet LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The price file '{path}' does not exist; check the path passed to AddPriceFile.", path);
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses the JSON text of a price file.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="sourceName">Names the source in error messages.</param>
    /// <returns>The sheet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
    /// <exception cref="ModelCatalogException">The text is not valid JSON or a price is invalid.</exception>
    public static PriceSheet Parse(string json, string sourceName = "price file")
    {
        ArgumentNullException.ThrowIfNull(json);
        Node root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = FromJson(string.Empty, document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new ModelCatalogException($"The {sourceName} is not valid JSON: {ex.Message}", ex);
        }

        return Read(root, sourceName);
    }

    /// <summary>Reads a price sheet from a configuration section (for example <c>configuration.GetSection("LlmOps:Metering")</c>).</summary>
    /// <param name="section">The section.</param>
    /// <returns>The sheet.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="section"/> is <see langword="null"/>.</exception>
    /// <exception cref="ModelCatalogException">A value is malformed or a price is invalid.</exception>
    public static PriceSheet FromConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return Read(FromConfig(string.Empty, null, section), "configuration section");
    }

    private static PriceSheet Read(Node root, string source)
    {
        var errors = new List<string>();
        DateTimeOffset? effective = null;
        if (root.Child("effectiveDate")?.Value is { Length: > 0 } date)
        {
            if (DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                effective = parsed;
            }
            else
            {
                errors.Add($"The {source} has an invalid effectiveDate '{date}'; use ISO 8601, for example 2026-12-01T00:00:00Z.");
            }
        }

        ModelTier? defaultTier = root.Child("defaultTier")?.Value is { Length: > 0 } dt ? new ModelTier(dt) : null;

        var tiers = new Dictionary<ModelTier, ModelPrice>(ModelCatalog.DefaultTierPrices);
        foreach (var tier in root.Child("tiers")?.Children ?? [])
        {
            if (ReadPrice(tier, $"tier '{tier.Key}'", errors) is { } price)
            {
                tiers[new ModelTier(tier.Key)] = price;
            }
        }

        var models = new List<ModelDefinition>();
        foreach (var model in root.Child("models")?.Children ?? [])
        {
            var owner = $"model '{model.Key}'";
            var tierName = model.Child("tier")?.Value;
            if (string.IsNullOrWhiteSpace(tierName))
            {
                errors.Add($"The {source} gives {owner} no tier; set tier to Small, Medium, Large or a custom tier.");
                continue;
            }

            var hasPrice = model.Child("input") is not null || model.Child("output") is not null;
            var price = hasPrice ? ReadPrice(model, owner, errors) : null;
            models.Add(new ModelDefinition(model.Key, new ModelTier(tierName), price)
            {
                ContextWindow = ReadInt(model, "contextWindow", owner, errors),
                MaxOutputTokens = ReadInt(model, "maxOutputTokens", owner, errors),
                EffectiveFrom = effective,
            });
        }

        if (errors.Count > 0)
        {
            throw new ModelCatalogException(errors);
        }

        return new PriceSheet(effective, models, tiers, defaultTier);
    }

    private static ModelPrice? ReadPrice(Node node, string owner, List<string> errors)
    {
        var before = errors.Count;
        var input = ReadDecimal(node, "input", owner, errors, required: true);
        var output = ReadDecimal(node, "output", owner, errors, required: true);
        var cached = ReadDecimal(node, "cachedInput", owner, errors, required: false);
        var gpu = ReadDecimal(node, "gpuPerSecond", owner, errors, required: false);
        var currency = node.Child("currency")?.Value ?? ModelPrice.Usd;
        if (errors.Count > before)
        {
            return null;
        }

        var price = new ModelPrice(input!.Value, output!.Value, cached, gpu, currency);
        errors.AddRange(price.Validate(owner));
        return price;
    }

    private static decimal? ReadDecimal(Node node, string field, string owner, List<string> errors, bool required)
    {
        var text = node.Child(field)?.Value;
        if (string.IsNullOrEmpty(text))
        {
            if (required)
            {
                errors.Add($"The price of {owner} has no {field}; set it (USD per 1M tokens).");
            }

            return null;
        }

        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add($"The price of {owner} has an invalid {field} '{text}'; use a non-negative number such as 2.50 (NaN and infinity are not prices).");
        return null;
    }

    private static int? ReadInt(Node node, string field, string owner, List<string> errors)
    {
        var text = node.Child(field)?.Value;
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }

        errors.Add($"{owner} has an invalid {field} '{text}'; use a positive whole number.");
        return null;
    }

    private static Node FromJson(string key, JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new Node(key, null, element.EnumerateObject().Select(static p => FromJson(p.Name, p.Value)).ToList()),
        JsonValueKind.Null => new Node(key, null, []),
        JsonValueKind.String => new Node(key, element.GetString(), []),
        _ => new Node(key, element.GetRawText(), []),
    };

    private static Node FromConfig(string key, string? value, IConfiguration configuration)
        => new(key, value, configuration.GetChildren().Select(static c => FromConfig(c.Key, c.Value, c)).ToList());

    private sealed record Node(string Key, string? Value, IReadOnlyList<Node> Children)
    {
        public Node? Child(string name)
        {
            foreach (var child in Children)
            {
                if (string.Equals(child.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return child;
                }
            }

            return null;
        }
    }
}
