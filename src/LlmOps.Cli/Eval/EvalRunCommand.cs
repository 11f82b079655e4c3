using System.CommandLine;
using System.Globalization;
using LlmOps.Cli.Cost;
using LlmOps.Evaluation.Comparison;
using LlmOps.Evaluation.Reports;
using LlmOps.Evaluation.Runs;
using Microsoft.Extensions.AI;
using Spectre.Console;

namespace LlmOps.Cli.Eval;

/// <summary><c>llmops eval run</c>: a dataset against a target, with a live progress bar, JSON and HTML results, and gates.</summary>
internal static class EvalRunCommand
{
    public static Command Create(CliContext context)
    {
        var dataset = new Argument<string>("DATASET") { Description = "The dataset: JSONL (id, input, reference(s), context(s), metadata) or CSV with an 'input' column." };
        var target = new Option<string>("--target", "-t") { Description = EvalTargets.Help, Required = true };
        var metrics = new Option<string>("--metrics", "--metric", "-m")
        {
            Description = $"Comma-separated metrics: {ScoreMetricNames.Known}.",
            DefaultValueFactory = _ => EvalScoreCommand.DefaultMetrics,
        };
        var output = new Option<string>("--out", "-o") { Description = "The folder for results.json and report.html (created when missing).", Required = true };
        var system = new Option<string?>("--system") { Description = "A system prompt sent before each item's input." };
        var concurrency = new Option<int>("--concurrency") { Description = "Items in flight at once (1-256).", DefaultValueFactory = _ => 4 };
        var gates = new Option<string[]>("--gate")
        {
            Description = "A gate, repeatable: METRIC>=VALUE (for example rougeL>=0.4 or \"BLEU>=20\"). The run exits 4 when a gated mean is lower, or significantly below --baseline.",
            AllowMultipleArgumentsPerToken = false,
        };
        var baseline = new Option<string?>("--baseline") { Description = "A previous run (its results.json or --out folder): gated metrics fail when significantly below it (paired bootstrap, 95%), and the report compares against it." };
        var tolerance = new Option<double>("--tolerance") { Description = "How far below the baseline still passes.", DefaultValueFactory = _ => 0 };
        var model = new Option<string?>("--model") { Description = "The model id to price answers with when the target does not report one (for the cost so far)." };
        var stem = new Option<bool>("--stem") { Description = "Porter-stem ROUGE tokens." };
        var json = new Option<bool>("--json") { Description = "Write the summary as JSON." };
        var command = new Command("run", "Run a dataset against a target with a live progress bar (items, rate, ETA, cost so far), write results.json and report.html, and exit 4 when a gate fails.")
        {
            dataset, target, metrics, output, system, concurrency, gates, baseline, tolerance, model, stem, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<ScoreMetric> chosen = ScoreMetricNames.Parse(parse.GetValue(metrics)!);
            IReadOnlyList<(string Metric, double Minimum)> gateList = ParseGates(parse.GetValue(gates) ?? []);
            string path = parse.GetValue(dataset)!;
            CliContext.RequireFile(path, "dataset");
            EvaluationDataset items = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
                ? await EvaluationDataset.LoadCsvAsync(path, cancellationToken).ConfigureAwait(false)
                : await EvaluationDataset.LoadJsonlAsync(path, cancellationToken).ConfigureAwait(false);
            EvaluationRunResult? before = parse.GetValue(baseline) is { Length: > 0 } b ? await EvalRunFile.ReadAsync(b, cancellationToken).ConfigureAwait(false) : null;
            using IChatClient inner = await EvalTargets.CreateAsync(parse.GetValue(target)!, items, cancellationToken).ConfigureAwait(false);
            using var metered = new MeteredTarget(inner, parse.GetValue(model));
            string folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            var options = new EvaluationRunOptions
            {
                MaxConcurrency = parse.GetValue(concurrency),
                SystemPrompt = parse.GetValue(system),
                CheckpointPath = Path.Combine(folder, "checkpoint.jsonl"),
                TimeProvider = context.Time,
            };
            if (options.Validate() is { Count: > 0 } problems)
            {
                throw new CliException(ExitCodes.UsageError, string.Join(" ", problems) + " Use --concurrency 1 to 256.");
            }

            long start = context.Time.GetTimestamp();
            EvaluationRunResult run = await RunWithProgressAsync(context, items, metered, chosen, parse.GetValue(stem), options, cancellationToken).ConfigureAwait(false);
            TimeSpan elapsed = context.Time.GetElapsedTime(start);
            string results = Path.Combine(folder, "results.json");
            string report = Path.Combine(folder, "report.html");
            await run.WriteJsonAsync(results, cancellationToken).ConfigureAwait(false);
            await EvaluationHtmlReport.WriteAsync(run, report, $"Evaluation of {Path.GetFileName(path)} ({TargetLabel(parse.GetValue(target)!)})", before, cancellationToken).ConfigureAwait(false);
            File.Delete(options.CheckpointPath); // the run is complete: results.json is the record

            var gateResults = new List<(string Metric, GateResult Result)>();
            foreach ((string name, double minimum) in gateList)
            {
                string metric = EvalMetrics.Find(name, run.MetricNames) is { } found && run.MetricNames.Contains(found)
                    ? found
                    : throw new CliException(ExitCodes.UsageError, $"--gate names metric '{name}', which the run did not produce (it has {string.Join(", ", run.MetricNames)}). Add it to --metrics.");
                gateResults.Add((metric, Gate(run, before, metric, minimum, parse.GetValue(tolerance))));
            }

            bool passed = gateResults.All(g => g.Result.Passed);
            int failedItems = run.Items.Count(i => i.Errors.Count > 0);
            if (parse.GetValue(json))
            {
                await CliJson.WriteAsync(context, new
                {
                    items = run.Items.Count,
                    failedItems,
                    seconds = elapsed.TotalSeconds,
                    cost = metered.Cost,
                    means = run.MetricNames.ToDictionary(n => n, run.Mean, StringComparer.Ordinal),
                    gates = gateResults.Select(g => new { metric = g.Metric, passed = g.Result.Passed, mean = g.Result.Mean, failures = g.Result.Failures, baseline = g.Result.Baseline }),
                    passed,
                    results,
                    report,
                }).ConfigureAwait(false);
                return passed ? ExitCodes.Success : ExitCodes.CheckFailed;
            }

            var table = new Table().AddColumns("Metric", "Mean", "Items");
            foreach (string metric in run.MetricNames)
            {
                table.AddRow(Markup.Escape(metric), Format(run.Mean(metric)), run.Values(metric).Count(v => v.HasValue).ToString(CultureInfo.InvariantCulture));
            }

            context.Console.Write(table);
            context.Console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"{run.Items.Count} items ({failedItems} with errors) in {elapsed.TotalSeconds:0.0} s, cost {CostHtmlReport.Money(metered.Cost)}."));
            foreach ((string metric, GateResult result) in gateResults)
            {
                context.Console.MarkupLine(result.Passed
                    ? $"[green]gate passed[/]: {Markup.Escape(metric)} mean {Format(result.Mean)}"
                    : $"[red]gate failed[/]: {Markup.Escape(string.Join(" ", result.Failures))}");
            }

            context.Console.MarkupLine($"Results: {Markup.Escape(Path.GetFullPath(results))}");
            context.Console.MarkupLine($"Report: {Markup.Escape(Path.GetFullPath(report))}");
            return passed ? ExitCodes.Success : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static async Task<EvaluationRunResult> RunWithProgressAsync(
        CliContext context, EvaluationDataset items, MeteredTarget target, IReadOnlyList<ScoreMetric> metrics, bool stem, EvaluationRunOptions options, CancellationToken cancellationToken)
    {
        var evaluators = EvalMetrics.Evaluators(metrics, stem);
        if (!context.Interactive)
        {
            return await EvaluationRun.ExecuteAsync(items, target, evaluators, options, cancellationToken).ConfigureAwait(false);
        }

        EvaluationRunResult? result = null;
        await context.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                ProgressTask task = progress.AddTask("evaluating", maxValue: items.Items.Count);
                long start = context.Time.GetTimestamp();
                options.Progress = new SynchronousProgress<EvaluationProgress>(p =>
                {
                    double seconds = Math.Max(context.Time.GetElapsedTime(start).TotalSeconds, 1e-3);
                    task.Value = p.Completed;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{p.Completed}/{p.Total} items, {(p.Completed - p.Resumed) / seconds:0.0}/s, {p.Failed} failed, cost {CostHtmlReport.Money(target.Cost)}");
                });
                result = await EvaluationRun.ExecuteAsync(items, target, evaluators, options, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return result!;
    }

    private static GateResult Gate(EvaluationRunResult run, EvaluationRunResult? baseline, string metric, double minimum, double tolerance)
    {
        if (baseline is null)
        {
            double[] values = [.. run.Values(metric).Where(v => v.HasValue).Select(v => v!.Value)];
            return RegressionGate.Check(metric, values, minimum);
        }

        // Paired on the items both runs scored.
        Dictionary<string, double?> old = baseline.Items.ToDictionary(i => i.ItemId, i => i.Metrics.TryGetValue(metric, out double? v) ? v : null, StringComparer.Ordinal);
        var current = new List<double>();
        var previous = new List<double>();
        foreach (EvaluationItemResult item in run.Items)
        {
            if (item.Metrics.TryGetValue(metric, out double? v) && v.HasValue && old.TryGetValue(item.ItemId, out double? o) && o.HasValue)
            {
                current.Add(v.Value);
                previous.Add(o.Value);
            }
        }

        if (current.Count == 0)
        {
            throw new CliException(ExitCodes.InputError, $"the baseline has no '{metric}' scores on this run's items; compare runs of the same dataset with the same metrics.");
        }

        return RegressionGate.Check(metric, current, minimum, previous, tolerance);
    }

    private static List<(string Metric, double Minimum)> ParseGates(string[] gates)
    {
        var list = new List<(string, double)>();
        foreach (string gate in gates)
        {
            int at = gate.IndexOf(">=", StringComparison.Ordinal);
            if (at <= 0 || !double.TryParse(gate[(at + 2)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double minimum) || !double.IsFinite(minimum))
            {
                throw new CliException(ExitCodes.UsageError, $"--gate '{gate}' is not METRIC>=VALUE; write for example --gate rougeL>=0.4.");
            }

            list.Add((gate[..at].Trim(), minimum));
        }

        return list;
    }

    // The report's title names the target without the folders of a local file.
    private static string TargetLabel(string target) =>
        target.IndexOf(':', StringComparison.Ordinal) is int colon and > 0 && target[..colon] is "responses" or "replay"
            ? target[..(colon + 1)] + Path.GetFileName(target[(colon + 1)..])
            : target;

    private static string Format(double? value) => value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "-";

    /// <summary>Reports on the caller's thread (<see cref="Progress{T}"/> would post to a captured context).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly Lock _gate = new();

        public void Report(T value)
        {
            lock (_gate)
            {
                report(value);
            }
        }
    }
}
