using System.Globalization;
using System.Text;
using LlmOps.Routing;
using Xunit.Abstractions;

namespace LlmOps.Quality.Routing;

/// <summary>
/// The shipped complexity scorer against the held-out test split of data/routing/complexity.tsv (never used to tune),
/// and a check that the shipped weights are what training on the train split gives.
/// </summary>
public class ComplexityScorerQualityTests(ITestOutputHelper output)
{
    [Fact]
    public void ShippedScorer_HeldOutSplit_AccuracyAndConfusionMatrix()
    {
        var scorer = new ComplexityScorer();
        var (accuracy, table) = Evaluate(scorer, "test");
        var (trainAccuracy, _) = Evaluate(scorer, "train");
        output.WriteLine($"train accuracy {trainAccuracy:P1}; held-out accuracy {accuracy:P1}");
        output.WriteLine(table);

        Assert.True(accuracy >= 0.80, $"Held-out accuracy {accuracy:P1} is below 80%.\n{table}");
    }

    [Fact]
    public void ShippedWeights_AreTheWeightsTrainingOnTheTrainSplitGives()
    {
        var trained = ComplexityScorer.Train(ComplexitySet.Split("train"));
        output.WriteLine(string.Join(", ", trained.Weights.Select(w => w.ToString("0.####", CultureInfo.InvariantCulture) + "f")));

        var shipped = new ComplexityScorer().Weights;
        Assert.Equal(trained.Weights.Count, shipped.Count);
        for (var i = 0; i < shipped.Count; i++)
        {
            Assert.True(Math.Abs(trained.Weights[i] - shipped[i]) < 1e-3, $"Weight {i} ({ComplexityScorer.FeatureNames[i % ComplexityScorer.FeatureNames.Count]}): shipped {shipped[i]}, trained {trained.Weights[i]}.");
        }
    }

    internal static (double Accuracy, string Table) Evaluate(ComplexityScorer scorer, string split)
    {
        var tiers = ComplexityScorer.Tiers;
        var matrix = new int[3, 3];
        var correct = 0;
        var total = 0;
        foreach (var (messages, tier) in ComplexitySet.Split(split))
        {
            var predicted = scorer.Score(messages).Tier;
            var t = tiers.ToList().IndexOf(tier);
            var p = tiers.ToList().IndexOf(predicted);
            matrix[t, p]++;
            correct += t == p ? 1 : 0;
            total++;
        }

        var table = new StringBuilder();
        table.AppendLine("| label \\ predicted | Small | Medium | Large |").AppendLine("|---|---|---|---|");
        for (var t = 0; t < 3; t++)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {tiers[t].Name} | {matrix[t, 0]} | {matrix[t, 1]} | {matrix[t, 2]} |");
        }

        return ((double)correct / total, table.ToString());
    }
}
