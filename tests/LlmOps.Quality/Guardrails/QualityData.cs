using LlmOps.Guardrails.Training;

namespace LlmOps.Quality.Guardrails;

/// <summary>Reads the committed quality-gate sets (data/guardrails at the repository root, built by generate.py).</summary>
internal static class QualityData
{
    private static readonly Lazy<string> s_root = new(() => TrainingCorpus.FindDataRoot(AppContext.BaseDirectory));

    /// <summary>The data folder, found the way the training tool finds it.</summary>
    public static string Root => s_root.Value;

    public static string PathOf(string name) => Path.Combine(Root, name);

    /// <summary>
    /// The public injection sets (<c>shared/data/injection</c> above the repository root). The shipped model is trained on
    /// their train splits, so the training and public-set checks need them; without them they fail saying so.
    /// </summary>
    public static string PublicInjectionRoot => PublicInjectionData.RequireRoot(TrainingCorpus.FindRepositoryRoot(AppContext.BaseDirectory));

    public static IReadOnlyList<string> Lines(string name)
        => [.. File.ReadAllLines(PathOf(name)).Where(l => l.Length > 0).Select(l => l.Replace("\\n", "\n", StringComparison.Ordinal))];

    public static IReadOnlyList<(string Key, string Text)> Pairs(string name)
        => [.. Lines(name).Select(l => l.Split('\t', 2)).Select(p => (p[0], p[1]))];

    public static IReadOnlyList<(string Type, string Value, string Text)> Triples(string name)
        => [.. Lines(name).Select(l => l.Split('\t', 3)).Select(p => p.Length == 3 ? (p[0], p[1], p[2]) : (p[0], string.Empty, p[1]))];

    public static string Row(string check, string split, int hits, int n, string gate, bool met)
    {
        var (rate, low, high) = WilsonInterval.Of(hits, n);
        return $"| {check} | {split} | {hits}/{n} | {rate * 100:0.0}% | [{low * 100:0.0}%, {high * 100:0.0}%] | {gate} | {(gate.StartsWith('(') ? "-" : met ? "met" : "NOT met")} |";
    }
}
