namespace LlmOps.Metering;

/// <summary>The names of the instruments and attributes that cost metering and budgets emit (meter <c>LlmOps</c>).</summary>
public static class MeteringTelemetryNames
{
    /// <summary>Histogram, USD: the cost of each provider attempt, tagged with <see cref="ResponseModelAttribute"/>, <see cref="ModelTierAttribute"/>, <see cref="CostEstimatedAttribute"/> and <see cref="CostIncompleteAttribute"/>.</summary>
    public const string Cost = "llmops.client.cost";

    /// <summary>Counter, <c>{event}</c>: budget soft thresholds crossed, once per window and threshold, tagged with <see cref="BudgetThresholdAttribute"/>.</summary>
    public const string BudgetThresholdReached = "llmops.budget.threshold_reached";

    /// <summary>Counter, <c>{request}</c>: requests rejected because a budget was full.</summary>
    public const string BudgetRejected = "llmops.budget.rejected";

    /// <summary>Attribute, string: the model id that was priced (GenAI semantic conventions).</summary>
    public const string ResponseModelAttribute = "gen_ai.response.model";

    /// <summary>Attribute, string: the model's tier; also added to the request's tags.</summary>
    public const string ModelTierAttribute = "llmops.model.tier";

    /// <summary>Attribute, boolean: the cost is an estimate (tokens counted locally, the model not in the catalog, or the stream cut).</summary>
    public const string CostEstimatedAttribute = "llmops.cost.estimated";

    /// <summary>Attribute, boolean: the call did not complete (faulted, cancelled, abandoned, or a stream that ended without a finish reason).</summary>
    public const string CostIncompleteAttribute = "llmops.cost.incomplete";

    /// <summary>Attribute, double: the soft threshold (a fraction of the limit) that was crossed.</summary>
    public const string BudgetThresholdAttribute = "llmops.budget.threshold";
}
