using LlmOps.Maturity;
using LlmOps.Metering;
using LlmOps.Prompts;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Tests.Maturity;

public sealed class LlmOpsMaturityTests
{
    private static ServiceProvider Managed(Action<LlmOps.DependencyInjection.LlmOpsBuilder>? more = null, Action<CostMeteringOptions>? metering = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddLlmOps().AddPromptRegistry().AddCostMetering(metering).AddGuardrails();
        more?.Invoke(builder);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task AssessAsync_NothingButAddLlmOps_IsAdHocAndListsTheManagedItems()
    {
        var services = new ServiceCollection();
        services.AddLlmOps();
        await using ServiceProvider provider = services.BuildServiceProvider();

        MaturityReport report = await LlmOpsMaturity.AssessAsync(provider);

        Assert.Equal(MaturityStage.AdHoc, report.Stage);
        Assert.Equal(MaturityStage.Managed, report.NextStage);
        Assert.Equal(["prompt-registry", "cost-metering", "guardrails"], report.MissingForNextStage.Select(c => c.Id));
        Assert.True(report.Checks.Single(c => c.Id == "telemetry").Present);
    }

    [Fact]
    public async Task AssessAsync_RegistryMeteringTelemetryGuardrails_IsManaged()
    {
        await using ServiceProvider provider = Managed();

        MaturityReport report = await LlmOpsMaturity.AssessAsync(provider);

        Assert.Equal(MaturityStage.Managed, report.Stage);
        Assert.Equal(["evaluation-baseline", "experiments", "caching", "budgets", "fallback-routing"], report.MissingForNextStage.Select(c => c.Id));
        Assert.Contains("Maturity: Managed", report.ToString(), StringComparison.Ordinal);
        Assert.Contains("[x] Prompt registry with versions and labels", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InspectAsync_SeesBudgetsExperimentsAndTelemetryOff()
    {
        await using ServiceProvider provider = Managed(
            b => b.AddLlmOpsTelemetry(o => o.Enabled = false),
            o => o.Budgets.Add(new Budget(new LlmOpsScope("acme"), 10m)));
        provider.GetRequiredService<PromptRegistry>().AddExperiment(new PromptExperiment("tone", "support-answer", new PromptVariant("control", 0.5, Version: 1), new PromptVariant("brief", 0.5, Version: 2)));

        MaturityEvidence evidence = await LlmOpsMaturity.InspectAsync(provider);

        Assert.True(evidence.Budgets);
        Assert.True(evidence.Experiments);
        Assert.False(evidence.Telemetry);
        Assert.False(evidence.Caching);
        Assert.False(evidence.SharedStores); // in-memory stores serve one process
    }

    [Fact]
    public async Task InspectAsync_LedgerWithTwoTiers_CountsAsMeasuredSavings()
    {
        await using ServiceProvider provider = Managed();
        ICostLedger ledger = provider.GetRequiredService<ICostLedger>();
        await ledger.RecordAsync(new CostRecord { RequestId = "a", Timestamp = DateTimeOffset.UnixEpoch, Model = "small", Tier = ModelTier.Small, Cost = 0.001m });
        Assert.False((await LlmOpsMaturity.InspectAsync(provider)).MeasuredSavings);

        await ledger.RecordAsync(new CostRecord { RequestId = "b", Timestamp = DateTimeOffset.UnixEpoch, Model = "large", Tier = ModelTier.Large, Cost = 0.02m });

        Assert.True((await LlmOpsMaturity.InspectAsync(provider)).MeasuredSavings);
    }

    [Fact]
    public async Task AssessAsync_DeclaredEvidence_IsAddedToWhatTheServicesShow()
    {
        await using ServiceProvider provider = Managed();
        var declared = new MaturityEvidence { EvaluationBaseline = true, Experiments = true, Caching = true, Budgets = true, FallbackRouting = true };

        MaturityReport report = await LlmOpsMaturity.AssessAsync(provider, declared);

        Assert.Equal(MaturityStage.Automated, report.Stage);
        Assert.Equal(MaturityStage.Optimized, report.NextStage);
    }

    [Fact]
    public void Assess_EveryItem_IsOptimized_AndAGapInAnEarlierStageCaps()
    {
        var all = new MaturityEvidence
        {
            PromptRegistry = true, CostMetering = true, Telemetry = true, Guardrails = true, EvaluationBaseline = true, Experiments = true, Caching = true,
            Budgets = true, FallbackRouting = true, TierRouting = true, MeasuredSavings = true, CalibratedSemanticCache = true, HallucinationTracking = true, SharedStores = true,
        };

        Assert.Equal(MaturityStage.Optimized, LlmOpsMaturity.Assess(all).Stage);
        Assert.Null(LlmOpsMaturity.Assess(all).NextStage);
        all.Guardrails = false;
        MaturityReport capped = LlmOpsMaturity.Assess(all);
        Assert.Equal(MaturityStage.AdHoc, capped.Stage);
        Assert.Equal(["guardrails"], capped.MissingForNextStage.Select(c => c.Id));
        Assert.Throws<ArgumentNullException>(() => LlmOpsMaturity.Assess(null!));
    }
}
