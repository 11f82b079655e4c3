using System.Globalization;

namespace LlmOps.Caching.Training;

/// <summary>What a decision rule does on a labelled set: false hits on must-differ pairs and paraphrase hits, with 95% Wilson intervals.</summary>
internal sealed record Figures(int FalseHits, int Different, int ParaphraseHits, int Same)
{
    /// <summary>Counts the served pairs.</summary>
    public static Figures Of(IReadOnlyList<ScoredPair> pairs, Func<ScoredPair, bool> served)
    {
        int fh = 0, diff = 0, ph = 0, same = 0;
        foreach (var p in pairs)
        {
            var s = served(p);
            if (p.Pair.Same)
            {
                same++;
                ph += s ? 1 : 0;
            }
            else
            {
                diff++;
                fh += s ? 1 : 0;
            }
        }

        return new Figures(fh, diff, ph, same);
    }

    /// <summary>The sum of two sets of counts.</summary>
    public Figures Add(Figures other)
        => new(FalseHits + other.FalseHits, Different + other.Different, ParaphraseHits + other.ParaphraseHits, Same + other.Same);

    /// <summary>The 95% Wilson score interval of <paramref name="hits"/> out of <paramref name="n"/>.</summary>
    public static (double Rate, double Low, double High) Wilson(int hits, int n)
    {
        if (n == 0)
        {
            return (double.NaN, double.NaN, double.NaN);
        }

        const double Z = 1.959963984540054;
        var p = (double)hits / n;
        var denominator = 1 + (Z * Z / n);
        var centre = (p + (Z * Z / (2 * n))) / denominator;
        var half = Z * Math.Sqrt((p * (1 - p) / n) + (Z * Z / (4.0 * n * n))) / denominator;
        return (p, Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>A Markdown table row: false hits and paraphrase hits with their intervals.</summary>
    public string Row(string label)
    {
        var (f, fl, fu) = Wilson(FalseHits, Different);
        var (p, pl, pu) = Wilson(ParaphraseHits, Same);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {FalseHits}/{Different} | {f * 100:0.0}% [{fl * 100:0.0}%, {fu * 100:0.0}%] | {ParaphraseHits}/{Same} | {p * 100:0.0}% [{pl * 100:0.0}%, {pu * 100:0.0}%] |");
    }

    /// <summary>The header of the table <see cref="Row"/> writes.</summary>
    public const string Header = "| Rule | False hits | Rate [95% Wilson] | Paraphrase hits | Rate [95% Wilson] |\n|---|---|---|---|---|";
}
