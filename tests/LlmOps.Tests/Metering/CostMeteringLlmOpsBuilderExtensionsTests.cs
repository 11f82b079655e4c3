using LlmOps.DependencyInjection;
using LlmOps.Metering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmOps.Tests.Metering;

public class CostMeteringLlmOpsBuilderExtensionsTests
{
    [Fact]
    public void AddCostMetering_CalledTwice_RegistersOnceAndAppliesBothActions()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddCostMetering(o => o.Models.Add(new ModelDefinition("a", ModelTier.Small)));
        services.AddLlmOps().AddCostMetering(o => o.Budgets.Add(new Budget(new LlmOpsScope("t"), 1m)));
        using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(CostCalculator));
        Assert.Equal(PriceSource.Tier, provider.GetRequiredService<ModelCatalog>().Resolve("a").Source);
        Assert.Single(provider.GetRequiredService<BudgetManager>().Budgets);
        Assert.IsType<InMemoryCostLedger>(provider.GetRequiredService<ICostLedger>());
    }

    [Fact]
    public void AddCostMetering_CustomLedgerRegisteredFirst_IsKept()
    {
        var services = new ServiceCollection();
        var ledger = new InMemoryCostLedger();
        services.AddSingleton<ICostLedger>(ledger);
        services.AddLlmOps().AddCostMetering();
        using var provider = services.BuildServiceProvider();

        Assert.Same(ledger, provider.GetRequiredService<ICostLedger>());
    }

    [Fact]
    public void AddCostMetering_InvalidBudgetOrLimit_FailsValidationNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddLlmOps().AddCostMetering(o =>
        {
            o.DefaultMaxOutputTokens = 0;
            o.Budgets.Add(new Budget(new LlmOpsScope("t"), -5m) { Name = "team" });
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<CostMeteringOptions>>().Value);
        Assert.Contains("DefaultMaxOutputTokens", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Budget 'team'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCostMetering_NullBuilder_Throws()
        => Assert.Throws<ArgumentNullException>(() => CostMeteringLlmOpsBuilderExtensions.AddCostMetering(null!));
}
