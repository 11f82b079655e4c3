namespace LlmOps.Cli.Eval;

/// <summary>The command-line and JSON names of <see cref="ScoreMetric"/> values.</summary>
internal static class ScoreMetricNames
{
    private static readonly (string Name, ScoreMetric Metric)[] All =
    [
        ("bleu", ScoreMetric.Bleu),
        ("chrf", ScoreMetric.ChrF),
        ("chrf++", ScoreMetric.ChrFPlusPlus),
        ("rouge1", ScoreMetric.Rouge1),
        ("rouge2", ScoreMetric.Rouge2),
        ("rougeL", ScoreMetric.RougeL),
        ("rougeLsum", ScoreMetric.RougeLsum),
        ("exact_match", ScoreMetric.ExactMatch),
        ("token_f1", ScoreMetric.TokenF1),
    ];

    public static string Known => string.Join(", ", All.Select(a => a.Name));

    public static string NameOf(ScoreMetric metric) => All.First(a => a.Metric == metric).Name;

    /// <summary>Parses a comma-separated list; names are case-insensitive, duplicates are kept once.</summary>
    public static IReadOnlyList<ScoreMetric> Parse(string list)
    {
        var metrics = new List<ScoreMetric>();
        foreach (string raw in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int index = Array.FindIndex(All, a => string.Equals(a.Name, raw, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                throw new CliException(ExitCodes.UsageError, $"unknown metric '{raw}' in --metrics. Use a comma-separated list of: {Known}.");
            }

            if (!metrics.Contains(All[index].Metric))
            {
                metrics.Add(All[index].Metric);
            }
        }

        if (metrics.Count == 0)
        {
            throw new CliException(ExitCodes.UsageError, $"--metrics is empty. Use a comma-separated list of: {Known}.");
        }

        return metrics;
    }
}
