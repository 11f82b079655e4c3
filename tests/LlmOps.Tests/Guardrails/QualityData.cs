using System.Runtime.CompilerServices;

namespace LlmOps.Tests.Guardrails;

/// <summary>Reads the committed quality-gate sets (tests/LlmOps.Tests/Guardrails/Data, built by generate.py).</summary>
internal static class QualityData
{
    public static string PathOf(string name, [CallerFilePath] string thisFile = "")
        => Path.Combine(Path.GetDirectoryName(thisFile)!, "Data", name);

    public static IReadOnlyList<string> Lines(string name)
        => [.. File.ReadAllLines(PathOf(name)).Where(l => l.Length > 0).Select(l => l.Replace("\\n", "\n", StringComparison.Ordinal))];

    public static IReadOnlyList<(string Key, string Text)> Pairs(string name)
        => [.. Lines(name).Select(l => l.Split('\t', 2)).Select(p => (p[0], p[1]))];

    public static IReadOnlyList<(string Type, string Value, string Text)> Triples(string name)
        => [.. Lines(name).Select(l => l.Split('\t', 3)).Select(p => p.Length == 3 ? (p[0], p[1], p[2]) : (p[0], string.Empty, p[1]))];

    /// <summary>A rate with its 95% Wilson score interval.</summary>
    public static (double Rate, double Low, double High) Wilson(int hits, int n)
    {
        if (n == 0)
        {
            return (double.NaN, double.NaN, double.NaN);
        }

        const double Z = 1.959963984540054;
        var p = (double)hits / n;
        var denominator = 1 + (Z * Z / n);
        var center = (p + (Z * Z / (2 * n))) / denominator;
        var half = Z * Math.Sqrt((p * (1 - p) / n) + (Z * Z / (4.0 * n * n))) / denominator;
        return (p, Math.Max(0, center - half), Math.Min(1, center + half));
    }

    public static string Row(string check, string split, int hits, int n, string gate, bool met)
    {
        var (rate, low, high) = Wilson(hits, n);
        return $"| {check} | {split} | {hits}/{n} | {rate * 100:0.0}% | [{low * 100:0.0}%, {high * 100:0.0}%] | {gate} | {(gate.StartsWith('(') ? "-" : met ? "met" : "NOT met")} |";
    }
}
