using LlmOps.Caching.Training;
using Xunit.Abstractions;

namespace LlmOps.Quality.Caching;

/// <summary>
/// The issue 15 gate, measured once on the sealed set (kept outside the repository): each pair through a
/// <see cref="LlmOps.Caching.SemanticCachingChatClient"/> with the shipped defaults. Runs only when
/// <c>LLMOPS_SEALED_CACHE_PAIRS</c> names a sealed set: a <c>label&lt;TAB&gt;kind&lt;TAB&gt;first&lt;TAB&gt;second</c> file with a
/// header line, or a folder holding one as <c>pairs.tsv</c>, anywhere on disk (absolute, or relative to the current
/// folder). The rows are never printed, only the counts.
/// </summary>
public sealed class SealedCachePairsMeasurement(ITestOutputHelper output)
{
    /// <summary>The environment variable that names the sealed file.</summary>
    public const string Variable = "LLMOPS_SEALED_CACHE_PAIRS";

    [SealedSetFact]
    public async Task SealedSet_ShippedDefaults_MeetsTheGates()
    {
        var file = Environment.GetEnvironmentVariable(Variable)!;
        var path = ResolveSealedFile(file);
        var (figures, rows) = await ServingMeasurement.MeasureAsync(CachePairData.Generator, CachePairSet.Load(path, "sealed"));
        output.WriteLine(Figures.Header);
        output.WriteLine(figures.Row($"sealed set {path}, shipped defaults"));
        foreach (var group in rows.GroupBy(r => (r.Pair.Same, r.Pair.Kind)).OrderBy(g => g.Key.Same).ThenBy(g => g.Key.Kind, StringComparer.Ordinal))
        {
            output.WriteLine($"  {(group.Key.Same ? "same" : "different")}/{group.Key.Kind}: served {group.Count(r => r.Served)}/{group.Count()}");
        }

        var (falseHitRate, _, falseHitUpper) = Figures.Wilson(figures.FalseHits, figures.Different);
        var (paraphraseRate, _, _) = Figures.Wilson(figures.ParaphraseHits, figures.Same);
        Assert.True(falseHitRate <= 0.01 && falseHitUpper <= 0.03, $"false hits {figures.FalseHits}/{figures.Different} (upper bound {falseHitUpper:P1}) miss the gate");
        Assert.True(paraphraseRate >= 0.90, $"paraphrase hits {figures.ParaphraseHits}/{figures.Same} ({paraphraseRate:P1}) miss the 90% gate");
    }

    [Fact]
    public void ResolveSealedFile_FolderOrFile_FindsThePairsFile()
    {
        var folder = Directory.CreateTempSubdirectory("llmops-sealed-");
        try
        {
            var file = Path.Combine(folder.FullName, "pairs.tsv");
            File.WriteAllText(file, "label\tkind\tfirst\tsecond\nsame\tsynonym\ta\tb\n");

            Assert.Equal(file, ResolveSealedFile(folder.FullName));
            Assert.Equal(file, ResolveSealedFile(file));
            var missing = Assert.Throws<FileNotFoundException>(() => ResolveSealedFile(Path.Combine(folder.FullName, "nothing.tsv")));
            Assert.Contains(Variable, missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The sealed file named by the variable: the file itself, or <c>pairs.tsv</c> inside a named folder.</summary>
    internal static string ResolveSealedFile(string value)
    {
        var full = Path.GetFullPath(value);
        if (Directory.Exists(full))
        {
            full = Path.Combine(full, "pairs.tsv");
        }

        return File.Exists(full)
            ? full
            : throw new FileNotFoundException($"{Variable} names '{value}', but there is no such file (nor a folder with a pairs.tsv). Set it to a label<TAB>kind<TAB>first<TAB>second file or to the folder that holds pairs.tsv.", full);
    }
}
