using LlmOps.Maturity;
using LlmOps.Metering;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Demo;

/// <summary>The maturity report: what this demo's pipeline registered, placed on Ad-hoc / Managed / Automated / Optimized.</summary>
internal static class MaturitySection
{
    public static async Task RunAsync(DemoContext demo)
    {
        demo.Out.WriteLine("== Maturity: LlmOpsMaturity.AssessAsync(provider) inspects what the application registered and what its ledger saw");

        var services = new ServiceCollection();
        services.AddLlmOps()
            .AddPromptRegistry()
            .AddCostMetering(o => o.Budgets.Add(new Budget(new LlmOps.LlmOpsScope("acme"), 5m, BudgetWindow.Day)))
            .AddGuardrails();
        services.AddChatClient(demo.CreateModel()).UseLlmOps();
        await using var provider = services.BuildServiceProvider();

        // What the services cannot show is declared: here, that CI gates on a stored evaluation baseline (llmops eval run --baseline).
        MaturityReport report = await LlmOpsMaturity.AssessAsync(provider, new MaturityEvidence { EvaluationBaseline = true });
        demo.Out.Write(report.ToString());
        demo.Out.WriteLine("Same report for a configuration file: llmops assess appsettings.json");
        demo.Out.WriteLine();
    }
}
