using System.Globalization;
using System.Text;
using LlmOps.Metering;
using LlmOps.Routing;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace LlmOps.Quality.Routing;

/// <summary>
/// The simulated cost/quality table: the held-out split of data/routing/complexity.tsv (easy = Small, medium = Medium,
/// hard = Large labels), answered by scripted tiers whose chance of a correct answer depends on difficulty and tier,
/// under four strategies: always Large, always Small, the scorer, and the scorer with a cascade whose verifier is a
/// simulated judge. Cost comes from the metering stage's ledger at the default tier prices.
/// </summary>
public class RoutingCostQualityTests(ITestOutputHelper output)
{
    private const int Repetitions = 20;

    // P(correct | tier, difficulty): rows Small, Medium, Large; columns easy, medium, hard. Assumptions, stated in the README.
    private static readonly double[,] Correct =
    {
        { 0.95, 0.75, 0.40 },
        { 0.97, 0.93, 0.75 },
        { 0.98, 0.96, 0.94 },
    };

    // The simulated judge catches 80% of wrong answers and flags 5% of right ones.
    private const double JudgeCatches = 0.80;
    private const double JudgeFalseAlarms = 0.05;

    /// <summary>A judge priced as one Small call per verification (500 tokens in, 5 out), added to the cascade's cost.</summary>
    private sealed class SimulatedJudge : IAnswerVerifier
    {
        public int Calls;

        public string Name => "judge";

        public ValueTask<string?> VerifyAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, ChatResponse response, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            var u = Uniform("judge|" + response.Text);
            var wrong = response.Text.StartsWith("WRONG", StringComparison.Ordinal);
            return new(wrong ? (u < JudgeCatches ? "judged wrong" : null) : (u < JudgeFalseAlarms ? "judged wrong" : null));
        }
    }

    [Fact]
    public async Task CostQualityTable_ScorerPlusCascade_SavesHalfTheCostAtSmallQualityLoss()
    {
        var rows = ComplexitySet.Load().Where(r => r.Split == "test").ToList();
        var large = await RunAsync(rows, "large", cascade: false);
        var small = await RunAsync(rows, "small", cascade: false);
        var scorer = await RunAsync(rows, "auto", cascade: false);
        var cascade = await RunAsync(rows, "auto", cascade: true);

        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{rows.Count * Repetitions} requests (the {rows.Count} held-out prompts x {Repetitions}); cost at the default tier prices, 200 input + 300 output tokens per answer.");
        table.AppendLine().AppendLine("| Strategy | Cost (USD) | Saved vs always-Large | Quality (correct) | Change vs always-Large | Escalations |");
        table.AppendLine("|---|---|---|---|---|---|");
        foreach (var (name, r) in new[] { ("always-Large", large), ("always-Small", small), ("scorer", scorer), ("scorer + cascade (judge)", cascade) })
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {r.Cost:0.0000} | {1 - (double)(r.Cost / large.Cost):P1} | {r.Quality:P1} | {(r.Quality - large.Quality) * 100:+0.0;-0.0;0.0} pts | {r.Escalations} |");
        }

        output.WriteLine(table.ToString());
        var saved = 1 - (double)(cascade.Cost / large.Cost);
        var lost = (large.Quality - cascade.Quality) * 100;
        Assert.True(saved >= 0.50, $"scorer + cascade saved {saved:P1}, below 50%.\n{table}");
        Assert.True(lost <= 2.0, $"scorer + cascade lost {lost:0.0} points, more than 2.\n{table}");
        Assert.True(small.Quality < large.Quality - 0.05, "the simulation should make always-Small visibly worse");
    }

    private static async Task<(decimal Cost, double Quality, int Escalations)> RunAsync(
        IReadOnlyList<(string Split, ModelTier Tier, string Prompt)> rows, string model, bool cascade)
    {
        var ledger = new InMemoryCostLedger();
        var calculator = new CostCalculator(new ModelCatalog(
            [new ModelDefinition("small-model", ModelTier.Small), new ModelDefinition("medium-model", ModelTier.Medium), new ModelDefinition("large-model", ModelTier.Large)]));
        var options = new ModelRoutingOptions { Policy = new ComplexityScorer(), DefaultGroup = "medium" };
        var judge = new SimulatedJudge();
        string[] names = ["small", "medium", "large"];
        for (var t = 0; t < 3; t++)
        {
            var tier = t;
            var provider = new ScriptedChatClient(defaultModelId: $"{names[t]}-model").Otherwise((messages, _) =>
            {
                var key = messages[^1].Text;
                var difficulty = int.Parse(key[..1], CultureInfo.InvariantCulture);
                var right = Uniform($"{names[tier]}|{key}") < Correct[tier, difficulty];
                return ScriptedResponse.FromText($"{(right ? "CORRECT" : "WRONG")} {names[tier]} {key}").WithUsage(200, 300);
            });
            options.Deployments.Add(new ModelDeployment
            {
                Name = $"{names[t]}-1",
                ModelId = $"{names[t]}-model",
                Tier = ComplexityScorer.Tiers[t],
                Client = new CostMeteringChatClient(provider, calculator, ledger),
            });
            options.Groups.Add(new ModelGroup { Name = names[t], Tier = ComplexityScorer.Tiers[t], Deployments = [$"{names[t]}-1"] });
        }

        if (cascade)
        {
            options.Cascade.Enabled = true;
            options.Cascade.Verifiers.Add(judge);
        }

        using var client = new ModelRoutingChatClient(new ScriptedChatClient(), options, calculator: calculator);
        var correct = 0;
        var escalations = 0;
        var total = 0;
        for (var rep = 0; rep < Repetitions; rep++)
        {
            foreach (var row in rows)
            {
                var difficulty = ComplexityScorer.Tiers.ToList().IndexOf(row.Tier);
                // The difficulty and repetition lead the text so the providers can read them; the scorer sees the prompt.
                var text = $"{difficulty}{rep:00} {row.Prompt}";
                var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, text)], new ChatOptions { ModelId = model });
                correct += response.Text.StartsWith("CORRECT", StringComparison.Ordinal) ? 1 : 0;
                escalations += response.GetRouting()!.Escalations.Count;
                total++;
            }
        }

        var cost = (await ledger.GetTotalsAsync(new CostLedgerQuery())).Cost;
        // The judge: one Small-tier call per verification, 500 tokens in and 5 out.
        cost += judge.Calls * calculator.WorstCase("small-model", 500, 5);
        return (cost, (double)correct / total, escalations);
    }

    /// <summary>A stable uniform number in [0, 1) from a string (FNV-1a), so every run draws the same outcomes.</summary>
    private static double Uniform(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        hash ^= hash >> 15;
        hash *= 0x2C1B3C6Du;
        hash ^= hash >> 12;
        return hash / 4294967296.0;
    }
}
