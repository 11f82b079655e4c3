using LlmOps.Caching.Training;
using Xunit.Abstractions;

namespace LlmOps.Quality.Caching;

/// <summary>
/// The issue 15 gate, measured once on the sealed set (kept outside the repository): each pair through a
/// <see cref="LlmOps.Caching.SemanticCachingChatClient"/> with the shipped defaults. Runs only when
/// <c>LLMOPS_SEALED_CACHE_PAIRS</c> names the file (<c>label&lt;TAB&gt;kind&lt;TAB&gt;first&lt;TAB&gt;second</c>); the rows are
/// never printed, only the counts.
/// </summary>
public sealed class SealedCachePairsMeasurement(ITestOutputHelper output)
{
    /// <summary>The environment variable that names the sealed file.</summary>
    public const string Variable = "LLMOPS_SEALED_CACHE_PAIRS";

    [Fact]
    public async Task SealedSet_ShippedDefaults_MeetsTheGates()
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } file)
        {
            output.WriteLine($"{Variable} is not set: the sealed measurement is skipped.");
            return;
        }

        var (figures, rows) = await ServingMeasurement.MeasureAsync(CachePairData.Generator, CachePairSet.Load(file, "sealed"));
        output.WriteLine(Figures.Header);
        output.WriteLine(figures.Row("sealed set, shipped defaults"));
        foreach (var group in rows.GroupBy(r => (r.Pair.Same, r.Pair.Kind)).OrderBy(g => g.Key.Same).ThenBy(g => g.Key.Kind, StringComparer.Ordinal))
        {
            output.WriteLine($"  {(group.Key.Same ? "same" : "different")}/{group.Key.Kind}: served {group.Count(r => r.Served)}/{group.Count()}");
        }

        var (falseHitRate, _, falseHitUpper) = Figures.Wilson(figures.FalseHits, figures.Different);
        var (paraphraseRate, _, _) = Figures.Wilson(figures.ParaphraseHits, figures.Same);
        Assert.True(falseHitRate <= 0.01 && falseHitUpper <= 0.03, $"false hits {figures.FalseHits}/{figures.Different} (upper bound {falseHitUpper:P1}) miss the gate");
        Assert.True(paraphraseRate >= 0.90, $"paraphrase hits {figures.ParaphraseHits}/{figures.Same} ({paraphraseRate:P1}) miss the 90% gate");
    }
}
