using System.CommandLine;
using System.Globalization;
using LlmOps.Evaluation.Comparison;
using LlmOps.Evaluation.Runs;
using Spectre.Console;

namespace LlmOps.Cli.Eval;

/// <summary><c>llmops eval compare A B</c>: per-metric paired bootstrap intervals and McNemar's test for pass/fail metrics.</summary>
internal static class EvalCompareCommand
{
    public static Command Create(CliContext context)
    {
        var a = new Argument<string>("A") { Description = "The first run (version A, the baseline): its results.json or --out folder." };
        var b = new Argument<string>("B") { Description = "The second run (version B): its results.json or --out folder." };
        var failIfWorse = new Option<bool>("--fail-if-worse") { Description = "Exit 4 when B is significantly worse than A on any metric." };
        var json = new Option<bool>("--json") { Description = "Write JSON for scripts instead of a table." };
        var command = new Command("compare", "Compare two runs of the same dataset: per metric, mean(B - A) with a 95% paired bootstrap interval, and McNemar's exact test for 0/1 metrics. 'better' only when significant.") { a, b, failIfWorse, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            EvaluationRunResult runA = await EvalRunFile.ReadAsync(parse.GetValue(a)!, cancellationToken).ConfigureAwait(false);
            EvaluationRunResult runB = await EvalRunFile.ReadAsync(parse.GetValue(b)!, cancellationToken).ConfigureAwait(false);
            var rows = new List<Row>();
            foreach (string metric in runB.MetricNames.Intersect(runA.MetricNames, StringComparer.Ordinal))
            {
                Dictionary<string, double?> before = runA.Items.ToDictionary(i => i.ItemId, i => i.Metrics.TryGetValue(metric, out double? v) ? v : null, StringComparer.Ordinal);
                var x = new List<double>();
                var y = new List<double>();
                foreach (EvaluationItemResult item in runB.Items)
                {
                    if (item.Metrics.TryGetValue(metric, out double? vb) && vb.HasValue && before.TryGetValue(item.ItemId, out double? va) && va.HasValue)
                    {
                        x.Add(va.Value);
                        y.Add(vb.Value);
                    }
                }

                if (x.Count == 0)
                {
                    continue;
                }

                BootstrapComparison c = PairedComparison.Bootstrap(x, y);
                McNemarResult? m = x.Concat(y).All(v => v is 0 or 1) ? PairedComparison.McNemar([.. x.Select(v => v == 1)], [.. y.Select(v => v == 1)]) : null;
                string verdict = c.BIsBetter ? "better" : c.BIsWorse ? "worse" : "no significant difference";
                rows.Add(new Row(metric, x.Count, x.Average(), y.Average(), c.MeanDifference, c.Lower, c.Upper, m?.PValue, m?.OnlyAPassed, m?.OnlyBPassed, verdict));
            }

            if (rows.Count == 0)
            {
                throw new CliException(ExitCodes.InputError, "the two runs share no scored items and metrics; compare runs of the same dataset with the same metrics.");
            }

            int exit = parse.GetValue(failIfWorse) && rows.Any(r => r.Verdict == "worse") ? ExitCodes.CheckFailed : ExitCodes.Success;
            if (parse.GetValue(json))
            {
                await CliJson.WriteAsync(context, new { metrics = rows }).ConfigureAwait(false);
                return exit;
            }

            var table = new Table().AddColumns("Metric", "Items", "A", "B", "Δ (95% CI)", "McNemar p", "B vs A");
            foreach (Row r in rows)
            {
                table.AddRow(
                    Markup.Escape(r.Metric),
                    r.Items.ToString(CultureInfo.InvariantCulture),
                    F(r.MeanA),
                    F(r.MeanB),
                    Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{r.Difference:+0.####;-0.####;0} [{r.Lower:0.####}, {r.Upper:0.####}]")),
                    r.McNemarP is { } p ? F(p) : "-",
                    r.Verdict switch { "better" => "[green]better[/]", "worse" => "[red]worse[/]", _ => "no significant difference" });
            }

            context.Console.Write(table);
            return exit;
        });
        return command;
    }

    private static string F(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>One metric's comparison.</summary>
    internal sealed record Row(string Metric, int Items, double MeanA, double MeanB, double Difference, double Lower, double Upper, double? McNemarP, int? OnlyAPassed, int? OnlyBPassed, string Verdict);
}
