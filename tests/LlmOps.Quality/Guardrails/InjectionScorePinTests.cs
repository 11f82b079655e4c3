using System.Globalization;
using LlmOps.Guardrails.Training;
using Xunit.Abstractions;

namespace LlmOps.Quality.Guardrails;

/// <summary>
/// The fast injection detector says exactly what it said when the pins were written (issue 16: speed work must not
/// change a verdict): on all 18,518 texts of the training corpus (committed sets, their synthetic long texts, the public
/// train splits), every grammar and scanner score equal to its pin to the last bit (the pins are round-trip doubles),
/// every verdict and every family list equal.
/// Regenerate the pins only when the detector is meant to change (a retrain):
/// <c>dotnet run --project tools/LlmOps.Guardrails.Training -c Release -- pin</c>.
/// </summary>
public sealed class InjectionScorePinTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void FastDetector_GivesThePinnedScoresAndVerdicts_OnTheTrainingCorpus()
    {
        var repository = TrainingCorpus.FindRepositoryRoot(AppContext.BaseDirectory);
        var pins = File.ReadAllLines(Path.Combine(repository, ScorePins.RelativePath));
        var corpus = TrainingCorpus.LoadShipped(QualityData.PathOf("."), QualityData.PublicInjectionRoot);
        Assert.Equal(pins.Length, corpus.Count);

        var now = ScorePins.Compute(corpus);
        var failures = new List<string>();
        var worst = 0.0;
        for (var i = 0; i < pins.Length; i++)
        {
            var expected = pins[i].Split('\t');
            var actual = now[i].Split('\t');
            Assert.True(expected[1] == actual[1], $"text {i} is not the pinned text (hash {actual[1]}, pinned {expected[1]}): the corpus changed, so re-pin.");
            var grammarDelta = Math.Abs(Parse(expected[2]) - Parse(actual[2]));
            var scannerDelta = Math.Abs(Parse(expected[4]) - Parse(actual[4]));
            worst = Math.Max(worst, Math.Max(grammarDelta, scannerDelta));
            var sameVerdict = (Parse(expected[4]) >= 0.5) == (Parse(actual[4]) >= 0.5);
            // The pins hold round-trip values: a speed change must give the same doubles, bit for bit.
            var identical = expected[2] == actual[2] && expected[4] == actual[4];
            if (!identical || grammarDelta > Tolerance || scannerDelta > Tolerance || !sameVerdict || expected[3] != actual[3] || expected[5] != actual[5])
            {
                failures.Add($"#{i}: pinned {expected[2]} [{expected[3]}] / {expected[4]} [{expected[5]}], now {actual[2]} [{actual[3]}] / {actual[4]} [{actual[5]}]");
            }
        }

        output.WriteLine($"{pins.Length} texts, largest score difference {worst:0.0e0}, {failures.Count} differ.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {pins.Length} texts differ from their pins (first 10): {string.Join("; ", failures.Take(10))}");
    }

    private static double Parse(string value) => double.Parse(value, CultureInfo.InvariantCulture);
}
