using LlmOps.DependencyInjection;
using LlmOps.Metering;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Demo;

/// <summary>Cost per model and tier from the price catalog, the ledger totals, and a budget stopping a tenant.</summary>
internal static class MeteringSection
{
    public static async Task RunAsync(DemoContext demo)
    {
        demo.Out.WriteLine("== Cost metering: services.AddLlmOps().AddCostMetering(...); every provider call priced, ledgered and budgeted");

        var services = new ServiceCollection();
        services.AddLlmOps().AddCostMetering(o =>
        {
            o.Models.Add(new ModelDefinition("gpt-4o-mini", ModelTier.Small, new ModelPrice(0.15m, 0.60m, CachedInput: 0.075m)));
            o.Models.Add(new ModelDefinition("gpt-4o", ModelTier.Large, new ModelPrice(2.50m, 10.00m, CachedInput: 1.25m)));
            o.Models.Add(new ModelDefinition("llama-3.1-70b-local", ModelTier.Medium, new ModelPrice(0m, 0m, GpuPerSecond: 0.0011m)));
            o.Models.Add(new ModelDefinition("qwen-7b", ModelTier.Small)); // no price of its own: the Small tier's 0.50
            o.Budgets.Add(new Budget(new LlmOpsScope("acme"), 0.003m, BudgetWindow.Day) { SoftThresholds = [0.5] });
        });
        services.AddChatClient(demo.CreateModel()).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();

        demo.Out.WriteLine($"{"model",-22} {"tier",-7} {"priced by",-9} {"in tok",7} {"out tok",8} {"cost USD",14} {"estimated",9}");
        foreach (var model in new[] { "gpt-4o-mini", "gpt-4o", "llama-3.1-70b-local", "qwen-7b", "unlisted-model" })
        {
            var response = await client.GetResponseAsync(
                "Summarise our refund policy in one line.", new ChatOptions { ModelId = model }.WithScope("globex", "ann", "support"));
            var cost = response.GetCost()!;
            demo.Out.WriteLine(
                $"{cost.Model,-22} {(cost.Tier.IsEmpty ? "-" : cost.Tier.Name),-7} {cost.PriceSource,-9} {cost.InputTokens + cost.CachedInputTokens,7} {cost.OutputTokens,8} {cost.Cost,14:0.##########} {cost.IsEstimated,9}");
        }

        var ledger = provider.GetRequiredService<ICostLedger>();
        var totals = await ledger.GetTotalsAsync(new CostLedgerQuery { Tenant = "globex" });
        demo.Out.WriteLine($"ledger, tenant globex: {totals.Attempts} attempts, {totals.Cost:0.##########} USD (an unlisted model is flagged Unpriced, never silently free)");

        var budgets = provider.GetRequiredService<BudgetManager>();
        budgets.ThresholdReached += (_, e) => demo.Out.WriteLine($"  soft threshold {e.Threshold:P0} reached for ({e.Scope}): spent {e.Spent} USD, reserved {e.Reserved} USD");
        demo.Out.WriteLine("Budget: tenant acme, 0.003 USD per day; each gpt-4o request reserves its worst case (MaxOutputTokens 200) first.");
        for (var i = 1; i <= 100; i++)
        {
            try
            {
                await client.GetResponseAsync(
                    "What is the capital of France?", new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 200 }.WithScope("acme", "bob"));
            }
            catch (BudgetExceededException ex)
            {
                demo.Out.WriteLine($"  request {i} stopped before reaching the model: {ex.Message}");
                break;
            }
        }

        var acme = await ledger.GetTotalsAsync(new CostLedgerQuery { Tenant = "acme" });
        demo.Out.WriteLine($"ledger, tenant acme: {acme.Attempts} attempts admitted, {acme.Cost:0.##########} USD spent of 0.003");
        demo.Out.WriteLine();
    }
}
