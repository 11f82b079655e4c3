using LlmOps.DependencyInjection;

namespace LlmOps.Metering;

/// <summary>
/// Options for cost metering, configured with <c>services.AddLlmOps().AddCostMetering(o =&gt; …)</c> and validated at
/// startup. Prices can also come from configuration (<c>AddPrices(section)</c>) or a JSON price file (<c>AddPriceFile(path)</c>).
/// </summary>
public sealed class CostMeteringOptions : IValidatableOptions
{
    /// <summary>Gets or sets the models and their prices.</summary>
    /// <value>The default value is an empty list (models are priced by <see cref="DefaultTier"/> or reported as unpriced).</value>
    public IList<ModelDefinition> Models { get; set; } = [];

    /// <summary>Gets or sets the price per tier.</summary>
    /// <value>The default value is Small 0.50, Medium 3.00 and Large 15.00 USD per 1M tokens.</value>
    public IDictionary<ModelTier, ModelPrice> TierPrices { get; set; } = new Dictionary<ModelTier, ModelPrice>(ModelCatalog.DefaultTierPrices);

    /// <summary>Gets or sets the tier whose price applies to models not in <see cref="Models"/>.</summary>
    /// <value>The default value is <see langword="null"/>: unknown models are recorded as unpriced (cost 0, flagged).</value>
    public ModelTier? DefaultTier { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a call to a model not in the catalog is rejected with
    /// <see cref="UnknownModelException"/> when a budget applies to it, instead of being reserved for at the default
    /// tier's price (or, with no default tier, the most expensive tier price).
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool RejectUnknownModels { get; set; }

    /// <summary>Gets or sets the budgets enforced before each provider call.</summary>
    /// <value>The default value is an empty list (no limits).</value>
    public IList<Budget> Budgets { get; set; } = [];

    /// <summary>
    /// Gets or sets the output tokens assumed for the worst-case budget reservation when neither the request
    /// (<c>MaxOutputTokens</c>) nor the model (<see cref="ModelDefinition.MaxOutputTokens"/>) sets a maximum.
    /// </summary>
    /// <value>The default value is 4,096.</value>
    public int DefaultMaxOutputTokens { get; set; } = 4096;

    /// <summary>Adds the models, tier prices and default tier of a price sheet.</summary>
    /// <param name="sheet">The sheet.</param>
    /// <returns>These options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sheet"/> is <see langword="null"/>.</exception>
    public CostMeteringOptions AddPriceSheet(PriceSheet sheet)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        foreach (var model in sheet.Models)
        {
            Models.Add(model);
        }

        foreach (var tier in sheet.TierPrices)
        {
            TierPrices[tier.Key] = tier.Value;
        }

        DefaultTier = sheet.DefaultTier ?? DefaultTier;
        return this;
    }

    /// <summary>Checks the options and returns one message per problem, each naming the option, model and field.</summary>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (DefaultMaxOutputTokens <= 0)
        {
            errors.Add($"CostMeteringOptions.DefaultMaxOutputTokens is {DefaultMaxOutputTokens}; it must be positive.");
        }

        if (Models is null || TierPrices is null || Budgets is null)
        {
            errors.Add("CostMeteringOptions.Models, TierPrices and Budgets must not be null.");
            return errors;
        }

        try
        {
            _ = BuildCatalog();
        }
        catch (ModelCatalogException ex)
        {
            errors.AddRange(ex.Errors);
        }

        foreach (var budget in Budgets)
        {
            if (budget is null)
            {
                errors.Add("CostMeteringOptions.Budgets contains null; remove it.");
            }
            else
            {
                errors.AddRange(budget.Validate());
            }
        }

        return errors;
    }

    /// <summary>Builds the catalog these options describe.</summary>
    /// <returns>The catalog.</returns>
    /// <exception cref="ModelCatalogException">A price is invalid.</exception>
    public ModelCatalog BuildCatalog() => new(Models, new Dictionary<ModelTier, ModelPrice>(TierPrices), DefaultTier, RejectUnknownModels);
}
