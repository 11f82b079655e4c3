using LlmOps.Caching;
using LlmOps.DependencyInjection;
using LlmOps.Guardrails;
using LlmOps.Metering;
using LlmOps.Prompts;
using LlmOps.Retrieval;
using LlmOps.Routing;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmOps.Maturity;

/// <summary>
/// Places an application on the LLMOps maturity stages (Ad-hoc, Managed, Automated, Optimized) from what it registered
/// and what its cost ledger has seen, with a present/missing checklist for the next stage.
/// </summary>
public static class LlmOpsMaturity
{
    /// <summary>Builds the report from evidence.</summary>
    /// <param name="evidence">What the application has.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="evidence"/> is <see langword="null"/>.</exception>
    public static MaturityReport Assess(MaturityEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        MaturityCheck[] checks =
        [
            new("prompt-registry", MaturityStage.Managed, "Prompt registry with versions and labels", evidence.PromptRegistry, "a prompt registry (AddPromptRegistry or AddPromptFiles)"),
            new("cost-metering", MaturityStage.Managed, "Cost metering into a ledger", evidence.CostMetering, "cost metering (AddCostMetering)"),
            new("telemetry", MaturityStage.Managed, "Telemetry (traces and metrics)", evidence.Telemetry, "telemetry on (AddLlmOps, AddLlmOpsTelemetry with Enabled = true)"),
            new("guardrails", MaturityStage.Managed, "Input and output guardrails", evidence.Guardrails, "guardrails (AddGuardrails)"),
            new("evaluation-baseline", MaturityStage.Automated, "Evaluation gates in CI against a stored baseline", evidence.EvaluationBaseline, "an evaluation baseline gated in CI (llmops eval run --baseline RUN --gate METRIC>=VALUE)"),
            new("experiments", MaturityStage.Automated, "A/B experiments on prompts", evidence.Experiments, "a prompt experiment (PromptRegistry.AddExperiment)"),
            new("caching", MaturityStage.Automated, "Response caching", evidence.Caching, "caching (AddSemanticCache)"),
            new("budgets", MaturityStage.Automated, "Spending budgets", evidence.Budgets, "budgets (CostMeteringOptions.Budgets)"),
            new("fallback-routing", MaturityStage.Automated, "Fallback routing", evidence.FallbackRouting, "fallback routing (AddModelRouting with two or more deployments)"),
            new("tier-routing", MaturityStage.Optimized, "Tier routing or cascades", evidence.TierRouting, "tier routing or a cascade (ModelRoutingOptions.Policy or Cascade.Enabled)"),
            new("measured-savings", MaturityStage.Optimized, "Savings measured in the ledger", evidence.MeasuredSavings, "measured savings (ledger attempts in two or more model tiers)"),
            new("calibrated-cache", MaturityStage.Optimized, "Semantic cache with a calibrated threshold", evidence.CalibratedSemanticCache, "a calibrated semantic cache (llmops cache calibrate PAIRS.tsv, then SemanticCacheOptions.SimilarityThreshold)"),
            new("hallucination-tracking", MaturityStage.Optimized, "Hallucination rate tracked", evidence.HallucinationTracking, "hallucination tracking (AddGrounding: sentence support and the hallucination-rate metric)"),
            new("shared-stores", MaturityStage.Optimized, "Multi-instance stores", evidence.SharedStores, "shared stores (a Redis or PostgreSQL prompt store, ledger and cache store)"),
        ];

        MaturityStage reached = MaturityStage.AdHoc;
        foreach (MaturityStage stage in new[] { MaturityStage.Managed, MaturityStage.Automated, MaturityStage.Optimized })
        {
            if (!checks.Where(c => c.Stage == stage).All(c => c.Present))
            {
                break;
            }

            reached = stage;
        }

        return new MaturityReport(reached, checks);
    }

    /// <summary>Inspects the services an application registered and its cost ledger, and builds the report.</summary>
    /// <param name="services">The application's provider (after <c>AddLlmOps()</c> and its stages).</param>
    /// <param name="declared">What the services cannot show (for example a stored evaluation baseline), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the ledger query.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static async Task<MaturityReport> AssessAsync(IServiceProvider services, MaturityEvidence? declared = null, CancellationToken cancellationToken = default)
    {
        MaturityEvidence found = await InspectAsync(services, cancellationToken).ConfigureAwait(false);
        return Assess(found.Union(declared));
    }

    /// <summary>
    /// Collects the evidence the services show: which stages are registered and how (routing deployments and policy,
    /// budgets, the semantic tier and its threshold), where the stores live, experiments on the registry, and the model
    /// tiers the cost ledger has priced.
    /// </summary>
    /// <param name="services">The application's provider.</param>
    /// <param name="cancellationToken">Cancels the ledger query.</param>
    /// <returns>The evidence.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static async Task<MaturityEvidence> InspectAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var evidence = new MaturityEvidence
        {
            PromptRegistry = StageRegistration.IsRegistered<PromptRegistryOptions>(services),
            CostMetering = StageRegistration.IsRegistered<CostMeteringOptions>(services),
            Telemetry = StageRegistration.IsRegistered<LlmOpsTelemetryOptions>(services) && services.GetRequiredService<IOptions<LlmOpsTelemetryOptions>>().Value.Enabled,
            Guardrails = StageRegistration.IsRegistered<GuardrailsOptions>(services),
            Caching = StageRegistration.IsRegistered<SemanticCacheOptions>(services),
            HallucinationTracking = StageRegistration.IsRegistered<GroundingOptions>(services),
        };

        if (evidence.PromptRegistry && services.GetService<PromptRegistry>() is { } registry)
        {
            evidence.Experiments = registry.ExperimentCount > 0;
        }

        if (evidence.CostMetering)
        {
            evidence.Budgets = services.GetRequiredService<IOptions<CostMeteringOptions>>().Value.Budgets.Count > 0;
        }

        if (StageRegistration.IsRegistered<ModelRoutingOptions>(services))
        {
            ModelRoutingOptions routing = services.GetRequiredService<IOptions<ModelRoutingOptions>>().Value;
            evidence.FallbackRouting = routing.Deployments.Count >= 2;
            evidence.TierRouting = routing.Policy is not null || routing.Cascade.Enabled;
        }

        if (evidence.Caching)
        {
            SemanticCacheOptions cache = services.GetRequiredService<IOptions<SemanticCacheOptions>>().Value;
            // The default threshold was calibrated for all-MiniLM-L6-v2; any other value is taken as the application's own calibration.
            string? model = services.GetService<IEmbeddingGenerator<string, Embedding<float>>>()?.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId;
            evidence.CalibratedSemanticCache = cache.EnableSemanticTier && model is not null
                && (cache.SimilarityThreshold != SemanticCacheOptions.DefaultSimilarityThreshold || model == "all-MiniLM-L6-v2");
        }

        ICostLedger? ledger = services.GetService<ICostLedger>();
        evidence.SharedStores = IsShared(services.GetService<IPromptStore>()) && IsShared(ledger) && (!evidence.Caching || IsShared(services.GetService<ISemanticCacheStore>()));
        if (ledger is not null)
        {
            IReadOnlyList<CostRecord> records = await ledger.QueryAsync(CostLedgerQuery.All, cancellationToken).ConfigureAwait(false);
            evidence.MeasuredSavings = records.Where(r => !r.Tier.IsEmpty).Select(r => r.Tier).Distinct().Count() >= 2;
        }

        return evidence;
    }

    // The embedded defaults (in-memory, files) serve one process; the store packages' types live in other assemblies.
    private static bool IsShared(object? store) => store is not null && store.GetType().Assembly != typeof(LlmOpsMaturity).Assembly;
}
