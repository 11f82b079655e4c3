namespace LlmOps.Metering;

/// <summary>Where the price used for a cost came from.</summary>
public enum PriceSource
{
    /// <summary>No price is known for the model: the cost is 0 and flagged as unpriced.</summary>
    Unpriced = 0,

    /// <summary>The model's own catalog entry.</summary>
    Model = 1,

    /// <summary>The price of the model's tier (the model has no price of its own, or is not in the catalog and a default tier is set).</summary>
    Tier = 2,
}
