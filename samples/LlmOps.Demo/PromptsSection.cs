using System.Globalization;
using LlmOps.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Demo;

/// <summary>Prompt versions, a label rollback, and an A/B experiment's result table.</summary>
internal static class PromptsSection
{
    public static async Task RunAsync(DemoContext demo)
    {
        var o = demo.Out;
        o.WriteLine("== Prompts: versions, labels, rollback, experiments");

        var services = new ServiceCollection();
        services.AddLlmOps().AddPromptRegistry();
        services.AddChatClient(demo.CreateModel()).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        var registry = provider.GetRequiredService<PromptRegistry>();

        var v1 = await registry.RegisterAsync(Answer("You answer questions about {{topic}} in {{sentences}} sentences."));
        var v2 = await registry.RegisterAsync(Answer("You answer questions about {{topic}}. Be brief: at most {{sentences}} sentences, no preamble."));
        o.WriteLine($"Registered {v1} (hash {v1.ContentHash[..12]}) and {v2} (hash {v2.ContentHash[..12]}).");
        o.WriteLine($"Registering v1's content again returns {await registry.RegisterAsync(Answer("You answer questions about {{topic}} in {{sentences}} sentences."))} (deduplicated by content hash).");
        o.WriteLine("Diff v1 -> v2:");
        foreach (var line in await registry.DiffAsync("answer", 1, 2))
        {
            o.WriteLine($"   {line}");
        }

        await registry.SetLabelAsync("answer", "production", 1, "alice");
        await registry.SetLabelAsync("answer", "production", 2, "bob");
        await AskAsync("after promoting v2");
        await registry.RollbackAsync("answer", "production", "carol");
        await AskAsync("after rollback");
        o.WriteLine("Label history:");
        foreach (var move in await registry.GetLabelHistoryAsync("answer"))
        {
            o.WriteLine($"   {move.Label}: {move.FromVersion?.ToString(CultureInfo.InvariantCulture) ?? "-"} -> {move.ToVersion} by {move.MovedBy}");
        }

        // Experiment: control = the production label, treatment = v2. Outcomes below are SIMULATED
        // (a seeded random draw with a 60% vs 66% success rate), standing in for real user feedback.
        var experiment = new PromptExperiment("brevity", "answer", new PromptVariant("control", 50, Label: "production"), new PromptVariant("brief", 50, Version: 2));
        registry.AddExperiment(experiment);
        var random = new Random(7);
        for (var user = 0; user < 4000; user++)
        {
            var variant = experiment.Assign($"user-{user}");
            var rate = variant.Name == "brief" ? 0.66 : 0.60;
            experiment.RecordOutcome(variant.Name, new PromptOutcome(
                Success: random.NextDouble() < rate,
                Score: (variant.Name == "brief" ? 4.1 : 4.0) + random.NextDouble() - 0.5,
                Cost: variant.Name == "brief" ? 0.0008m : 0.0011m));
        }

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Which prompt am I on?")],
            new ChatOptions().WithScope("acme", "user-17").WithPrompt("answer", new { topic = "billing", sentences = 2 }));
        var p = response.GetPromptProvenance()!;
        o.WriteLine($"user-17 is in variant '{p.Variant}' -> {p.Name}@{p.Version} (sticky: same answer in every process).");

        var results = experiment.GetResults();
        o.WriteLine("Experiment 'brevity' (simulated outcomes, 4,000 users):");
        o.WriteLine("   variant   n      success  95% CI            score  95% CI          cost      p (rate)  p (score)");
        foreach (var r in results.Variants)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   {r.Name,-8}  {r.Count,5}  {r.SuccessRate,6:P1}  [{r.SuccessRateInterval!.Value.Lower:P1}, {r.SuccessRateInterval.Value.Upper:P1}]  {r.MeanScore,5:F2}  [{r.ScoreInterval!.Value.Lower:F2}, {r.ScoreInterval.Value.Upper:F2}]  {r.MeanCost,8:F5}  {(r.SuccessRateTest is { } rt ? rt.PValue.ToString("F4", CultureInfo.InvariantCulture) : "-"),8}  {(r.ScoreTest is { } st ? st.PValue.ToString("F4", CultureInfo.InvariantCulture) : "-"),9}"));
        }

        o.WriteLine($"   winner: {results.Winner ?? "none (no significant difference)"}  (alpha 0.05; fix the sample size in advance, do not peek)");
        experiment.Stop();
        o.WriteLine($"Experiment stopped: user-17 now gets '{experiment.Assign("user-17").Name}'.");
        o.WriteLine();

        async Task AskAsync(string when)
        {
            var r = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "How do refunds work?")],
                new ChatOptions().WithPrompt("answer", new { topic = "billing", sentences = 2 }, label: "production"));
            var prov = r.GetPromptProvenance()!;
            o.WriteLine($"production {when}: {prov.Name}@{prov.Version} -> {r.Text}");
        }
    }

    private static PromptTemplate Answer(string system)
        => new("answer",
            [new PromptMessageTemplate(ChatRole.System, system)],
            [new PromptVariable("topic"), new PromptVariable("sentences", Required: false, Default: "3")],
            new PromptModelSettings { Temperature = 0.2f });
}
