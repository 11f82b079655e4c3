using System.Text;
using LlmOps.Guardrails.Training;
using LlmOps.Retrieval;
using Xunit.Abstractions;

namespace LlmOps.Quality.Retrieval;

/// <summary>
/// Issue 18, groundedness: precision and recall of the "unsupported" flag (support below
/// <see cref="GroundingOptions.MinSupport"/>) of <see cref="GroundednessScorer"/> on data/groundedness (200 answer
/// sentences written for this project, each with its source, half supported, plus 144 tuning sentences over twelve
/// more sources with kinds the first set lacks; see its README). The tuning splits (dev: sources s01-s10; extra:
/// x01-x12) may be looked at while changing the scorer; the holdout split (s11-s20) is reported, not tuned on.
/// </summary>
public sealed class GroundednessSetQualityTests(ITestOutputHelper output)
{
    /// <summary>Regression floors for the tuning splits: the figures measured, minus a margin.</summary>
    private const double PrecisionFloor = 0.85;
    private const double RecallFloor = 0.65;

    /// <summary>The issue's goal, held on the holdout split (measured once when the second round shipped: 0.957 and 0.880).</summary>
    private const double HoldoutGoal = 0.85;

    [Fact]
    public void UnsupportedFlag_GroundednessSet_PrecisionAndRecallPerSplitAndKind()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "data", "groundedness");
        var sources = new[] { "sources.tsv", "extra-sources.tsv" }.SelectMany(f => File.ReadLines(Path.Combine(folder, f)).Skip(1))
            .Select(l => l.Split('\t')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var pairs = new[] { "pairs.tsv", "extra-pairs.tsv" }.SelectMany(f => File.ReadLines(Path.Combine(folder, f)).Skip(1))
            .Select(l => l.Split('\t')).Select(p => new Pair(p[1], p[3] == "unsupported", p[4], p[5], sources[p[2]])).ToList();
        Assert.Equal(344, pairs.Count);
        Assert.Equal(100, pairs.Count(p => p.Split == "holdout"));
        Assert.Equal(50, pairs.Count(p => p.Split == "holdout" && p.Unsupported));

        var minSupport = new GroundingOptions().MinSupport;
        var flagged = pairs.Select(p => GroundednessScorer.Default.Support(p.Sentence, [p.Source]) < minSupport).ToArray();
        var table = new StringBuilder("| Split | Flagged | True positives | Precision [95% Wilson] | Recall [95% Wilson] |\n|---|---|---|---|---|\n");
        var results = new Dictionary<string, (double Precision, double Recall)>();
        foreach (var split in new[] { "dev", "extra", "tuning", "holdout" })
        {
            var idx = Enumerable.Range(0, pairs.Count).Where(i => pairs[i].Split == split || (split == "tuning" && pairs[i].Split != "holdout")).ToList();
            var truePositives = idx.Count(i => flagged[i] && pairs[i].Unsupported);
            var flags = idx.Count(i => flagged[i]);
            var positives = idx.Count(i => pairs[i].Unsupported);
            var precision = WilsonInterval.Of(truePositives, flags);
            var recall = WilsonInterval.Of(truePositives, positives);
            results[split] = (precision.Rate, recall.Rate);
            table.Append($"| {split} | {flags} | {truePositives} | {precision.Rate:F3} [{precision.Low:F3}, {precision.High:F3}] | {recall.Rate:F3} [{recall.Low:F3}, {recall.High:F3}] |\n");
        }

        table.Append("\n| Kind | Label | Flagged, tuning | Flagged, holdout |\n|---|---|---|---|\n");
        foreach (var group in Enumerable.Range(0, pairs.Count).GroupBy(i => (pairs[i].Kind, pairs[i].Unsupported)).OrderBy(g => g.Key.Unsupported).ThenBy(g => g.Key.Kind, StringComparer.Ordinal))
        {
            var tuning = group.Where(i => pairs[i].Split != "holdout").ToList();
            var holdout = group.Where(i => pairs[i].Split == "holdout").ToList();
            table.Append($"| {group.Key.Kind} | {(group.Key.Unsupported ? "unsupported" : "supported")} | {tuning.Count(i => flagged[i])}/{tuning.Count} | {holdout.Count(i => flagged[i])}/{holdout.Count} |\n");
        }

        output.WriteLine($"MinSupport {minSupport}");
        if (Environment.GetEnvironmentVariable("GROUNDEDNESS_DEV_DETAIL") is not null)
        {
            for (var i = 0; i < pairs.Count; i++)
            {
                if (pairs[i].Split != "holdout")
                {
                    var facts = GroundednessScorer.Default.Explain(pairs[i].Sentence, [GroundednessScorer.Default.Analyze(pairs[i].Source, null)]);
                    output.WriteLine($"TUNING {(pairs[i].Unsupported ? "U" : "S")} {facts.Support:F2} {facts.Cues} {pairs[i].Kind} {pairs[i].Sentence}");
                }
            }
        }

        output.WriteLine(table.ToString());
        foreach (var (split, (precision, recall)) in results)
        {
            var (precisionFloor, recallFloor) = split == "holdout" ? (HoldoutGoal, HoldoutGoal) : (PrecisionFloor, RecallFloor);
            Assert.True(precision >= precisionFloor, $"{split}: precision {precision:F3} fell below {precisionFloor}");
            Assert.True(recall >= recallFloor, $"{split}: recall {recall:F3} fell below {recallFloor}");
        }
    }

    private sealed record Pair(string Split, bool Unsupported, string Kind, string Sentence, string Source);
}
