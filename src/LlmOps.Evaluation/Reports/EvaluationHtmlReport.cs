using System.Globalization;
using System.Net;
using System.Text;
using LlmOps.Evaluation.Comparison;
using LlmOps.Evaluation.Runs;

namespace LlmOps.Evaluation.Reports;

/// <summary>
/// Writes a self-contained HTML report of an evaluation run: inline CSS and SVG, no script and no network. It has the
/// run summary (mean per metric, errors, latency, tokens, cost), one histogram per metric (10 bins; each bin is an SVG
/// <c>rect</c> with class <c>bar</c>), the items worst first, and, with a baseline run on the same items, the paired
/// bootstrap comparison per metric.
/// </summary>
public static class EvaluationHtmlReport
{
    /// <summary>Renders the report.</summary>
    /// <param name="run">The run (version B when a baseline is given).</param>
    /// <param name="title">The report's title.</param>
    /// <param name="baseline">A baseline run (version A) on the same items, or <see langword="null"/>.</param>
    /// <returns>The HTML document.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="run"/> or <paramref name="title"/> is <see langword="null"/>.</exception>
    public static string Render(EvaluationRunResult run, string title, EvaluationRunResult? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(title);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}")
            .Append("td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}th{background:#f4f4f4}")
            .Append(".num{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#b00020}.good{color:#0a7d32}")
            .Append(".charts{display:flex;flex-wrap:wrap;gap:1.5rem}.bar{fill:#3b6ea8}figure{margin:0}figcaption{font-size:.9rem}")
            .Append("</style></head><body><h1>").Append(E(title)).Append("</h1>");

        IReadOnlyList<string> metrics = run.MetricNames;
        int errors = run.Items.Count(i => i.Errors.Count > 0);
        double latency = run.Items.Count == 0 ? 0 : run.Items.Average(i => i.LatencyMilliseconds);
        long input = run.Items.Sum(i => i.InputTokens ?? 0);
        long output = run.Items.Sum(i => i.OutputTokens ?? 0);
        html.Append(CultureInfo.InvariantCulture, $"<h2>Summary</h2><p>{run.Items.Count} items, {errors} with errors, {run.Resumed} resumed from a checkpoint. Mean latency {latency:0.0} ms; tokens in {input}, out {output}; {Cost(run)}.</p>");
        html.Append("<table><tr><th>Metric</th><th>Mean</th><th>Items with a value</th></tr>");
        foreach (string metric in metrics)
        {
            int count = run.Values(metric).Count(v => v.HasValue);
            html.Append("<tr><td>").Append(E(metric)).Append("</td><td class=\"num\">").Append(F(run.Mean(metric))).Append("</td><td class=\"num\">").Append(count).Append("</td></tr>");
        }

        html.Append("</table><h2>Distributions</h2><div class=\"charts\">");
        foreach (string metric in metrics)
        {
            html.Append(Histogram(metric, [.. run.Values(metric).Where(v => v.HasValue).Select(v => v!.Value)]));
        }

        html.Append("</div>");
        if (baseline is not null)
        {
            html.Append(Comparison(run, baseline, metrics));
        }

        html.Append("<h2>Items, worst first</h2><table><tr><th>Item</th>");
        foreach (string metric in metrics)
        {
            html.Append("<th>").Append(E(metric)).Append("</th>");
        }

        html.Append("<th>Latency (ms)</th><th>Response</th><th>Errors</th></tr>");
        string? sortBy = metrics.Count > 0 ? metrics[0] : null;
        IEnumerable<EvaluationItemResult> ordered = sortBy is null
            ? run.Items
            : run.Items.OrderBy(i => i.Errors.Count > 0 ? 0 : 1).ThenBy(i => i.Metrics.TryGetValue(sortBy, out double? v) && v.HasValue ? v.Value : double.NegativeInfinity);
        foreach (EvaluationItemResult item in ordered)
        {
            html.Append("<tr><td>").Append(E(item.ItemId)).Append("</td>");
            foreach (string metric in metrics)
            {
                html.Append("<td class=\"num\">").Append(F(item.Metrics.TryGetValue(metric, out double? v) ? v : null)).Append("</td>");
            }

            html.Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{item.LatencyMilliseconds:0.0}</td><td>").Append(E(item.Response ?? string.Empty))
                .Append("</td><td class=\"bad\">").Append(E(string.Join("; ", item.Errors))).Append("</td></tr>");
        }

        html.Append("</table></body></html>");
        return html.ToString();
    }

    /// <summary>Writes the report to a file.</summary>
    /// <param name="run">The run.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="title">The report's title.</param>
    /// <param name="baseline">A baseline run on the same items, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public static Task WriteAsync(EvaluationRunResult run, string path, string title, EvaluationRunResult? baseline = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return File.WriteAllTextAsync(path, Render(run, title, baseline), Encoding.UTF8, cancellationToken);
    }

    /// <summary>The run's cost for the summary: the total and how many items the metering stage priced, or that none was.</summary>
    private static string Cost(EvaluationRunResult run)
    {
        int metered = run.Items.Count(i => i.Cost.HasValue);
        return run.TotalCost is { } total
            ? string.Create(CultureInfo.InvariantCulture, $"cost {total:0.######} ({metered} of {run.Items.Count} items metered)")
            : "cost not metered (the target has no metering stage)";
    }

    private static string Comparison(EvaluationRunResult run, EvaluationRunResult baseline, IReadOnlyList<string> metrics)
    {
        var html = new StringBuilder("<h2>Comparison with the baseline</h2><table><tr><th>Metric</th><th>Baseline</th><th>This run</th><th>Δ (95% paired bootstrap)</th><th>Verdict</th></tr>");
        Dictionary<string, EvaluationItemResult> before = baseline.Items.ToDictionary(i => i.ItemId, StringComparer.Ordinal);
        foreach (string metric in metrics)
        {
            var a = new List<double>();
            var b = new List<double>();
            foreach (EvaluationItemResult item in run.Items)
            {
                if (item.Metrics.TryGetValue(metric, out double? vb) && vb.HasValue
                    && before.TryGetValue(item.ItemId, out EvaluationItemResult? old) && old.Metrics.TryGetValue(metric, out double? va) && va.HasValue)
                {
                    a.Add(va.Value);
                    b.Add(vb.Value);
                }
            }

            if (a.Count == 0)
            {
                continue;
            }

            BootstrapComparison c = PairedComparison.Bootstrap(a, b);
            string verdict = c.BIsBetter ? "<span class=\"good\">better</span>" : c.BIsWorse ? "<span class=\"bad\">worse</span>" : "no significant difference";
            html.Append("<tr><td>").Append(E(metric)).Append("</td><td class=\"num\">").Append(F(a.Average())).Append("</td><td class=\"num\">").Append(F(b.Average()))
                .Append(CultureInfo.InvariantCulture, $"</td><td class=\"num\">{c.MeanDifference:+0.####;-0.####;0} [{c.Lower:0.####}, {c.Upper:0.####}]</td><td>{verdict}</td></tr>");
        }

        return html.Append("</table>").ToString();
    }

    private static string Histogram(string metric, double[] values)
    {
        const int Bins = 10;
        const int Width = 260;
        const int Height = 120;
        int[] counts = new int[Bins];
        double min = values.Length == 0 ? 0 : values.Min();
        double max = values.Length == 0 ? 1 : values.Max();

        // Every value equal: no range to split, so all items go in the middle bar and the axis names the one value
        // (a made-up range such as min..min+1 would label the axis with a value no item has).
        bool single = values.Length > 0 && max <= min;
        foreach (double v in values)
        {
            counts[single ? Bins / 2 : Math.Min(Bins - 1, (int)((v - min) / (max - min) * Bins))]++;
        }

        int top = Math.Max(1, counts.Max());
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<figure><svg class=\"histogram\" data-metric=\"{E(metric)}\" width=\"{Width}\" height=\"{Height + 20}\" viewBox=\"0 0 {Width} {Height + 20}\" role=\"img\" aria-label=\"{E(metric)} distribution\">");
        double barWidth = (double)Width / Bins;
        for (int i = 0; i < Bins; i++)
        {
            double h = (double)counts[i] / top * Height;
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{(i * barWidth) + 1:0.##}\" y=\"{Height - h:0.##}\" width=\"{barWidth - 2:0.##}\" height=\"{h:0.##}\"><title>{counts[i]} items</title></rect>");
        }

        svg.Append(single
            ? string.Create(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"{Height + 15}\" font-size=\"11\" text-anchor=\"middle\">all {min:0.##}</text></svg>")
            : string.Create(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{Height + 15}\" font-size=\"11\">{min:0.##}</text><text x=\"{Width}\" y=\"{Height + 15}\" font-size=\"11\" text-anchor=\"end\">{max:0.##}</text></svg>"));
        svg.Append("<figcaption>").Append(E(metric)).Append(CultureInfo.InvariantCulture, $" ({values.Length} items)</figcaption></figure>");
        return svg.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string F(double? value) => value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "–";
}
