namespace LlmOps.Maturity;

/// <summary>
/// What an application has in place, one flag per checklist item of <see cref="LlmOpsMaturity"/>.
/// <see cref="LlmOpsMaturity.InspectAsync"/> fills it from the registered services and the cost ledger; an application
/// (or <c>llmops assess</c>, from a configuration file) can also declare what the services cannot show, such as a
/// stored evaluation baseline that CI gates on.
/// </summary>
public sealed class MaturityEvidence
{
    /// <summary>Gets or sets a value indicating whether prompts live in a registry with versions and labels (<c>AddPromptRegistry</c>).</summary>
    public bool PromptRegistry { get; set; }

    /// <summary>Gets or sets a value indicating whether every provider call is metered into a cost ledger (<c>AddCostMetering</c>).</summary>
    public bool CostMetering { get; set; }

    /// <summary>Gets or sets a value indicating whether the telemetry stage is on (traces and metrics under the <c>LlmOps</c> source and meter).</summary>
    public bool Telemetry { get; set; }

    /// <summary>Gets or sets a value indicating whether input and output guardrails run (<c>AddGuardrails</c>).</summary>
    public bool Guardrails { get; set; }

    /// <summary>Gets or sets a value indicating whether a stored evaluation baseline gates changes in CI (for example <c>llmops eval run --baseline ... --gate ...</c>).</summary>
    public bool EvaluationBaseline { get; set; }

    /// <summary>Gets or sets a value indicating whether at least one prompt A/B experiment is configured (<c>PromptRegistry.AddExperiment</c>).</summary>
    public bool Experiments { get; set; }

    /// <summary>Gets or sets a value indicating whether responses are cached (<c>AddSemanticCache</c>).</summary>
    public bool Caching { get; set; }

    /// <summary>Gets or sets a value indicating whether spending budgets are enforced (<c>CostMeteringOptions.Budgets</c>).</summary>
    public bool Budgets { get; set; }

    /// <summary>Gets or sets a value indicating whether routing can fall back to another deployment (<c>AddModelRouting</c> with two or more deployments).</summary>
    public bool FallbackRouting { get; set; }

    /// <summary>Gets or sets a value indicating whether requests are routed by tier or through a cascade (a routing policy, or <c>CascadeOptions.Enabled</c>).</summary>
    public bool TierRouting { get; set; }

    /// <summary>Gets or sets a value indicating whether the ledger shows the savings: attempts priced in two or more model tiers.</summary>
    public bool MeasuredSavings { get; set; }

    /// <summary>Gets or sets a value indicating whether the semantic tier runs with a calibrated similarity threshold.</summary>
    public bool CalibratedSemanticCache { get; set; }

    /// <summary>Gets or sets a value indicating whether the hallucination rate is tracked (the grounding stage's support checks and metric).</summary>
    public bool HallucinationTracking { get; set; }

    /// <summary>Gets or sets a value indicating whether prompts, the ledger and the cache live in stores that several instances share (Redis, PostgreSQL).</summary>
    public bool SharedStores { get; set; }

    /// <summary>Returns evidence with every flag set in this instance or in <paramref name="other"/>.</summary>
    /// <param name="other">More evidence, or <see langword="null"/>.</param>
    /// <returns>The union.</returns>
    public MaturityEvidence Union(MaturityEvidence? other)
    {
        if (other is null)
        {
            return this;
        }

        return new MaturityEvidence
        {
            PromptRegistry = PromptRegistry || other.PromptRegistry,
            CostMetering = CostMetering || other.CostMetering,
            Telemetry = Telemetry || other.Telemetry,
            Guardrails = Guardrails || other.Guardrails,
            EvaluationBaseline = EvaluationBaseline || other.EvaluationBaseline,
            Experiments = Experiments || other.Experiments,
            Caching = Caching || other.Caching,
            Budgets = Budgets || other.Budgets,
            FallbackRouting = FallbackRouting || other.FallbackRouting,
            TierRouting = TierRouting || other.TierRouting,
            MeasuredSavings = MeasuredSavings || other.MeasuredSavings,
            CalibratedSemanticCache = CalibratedSemanticCache || other.CalibratedSemanticCache,
            HallucinationTracking = HallucinationTracking || other.HallucinationTracking,
            SharedStores = SharedStores || other.SharedStores,
        };
    }
}
