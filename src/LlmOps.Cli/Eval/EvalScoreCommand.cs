using System.CommandLine;

namespace LlmOps.Cli.Eval;

/// <summary><c>llmops eval score</c>: reference-based metrics over a TSV file.</summary>
internal static class EvalScoreCommand
{
    public const string DefaultMetrics = "bleu,chrf,rouge1,rouge2,rougeL";

    public static Command Create(TextReader stdin)
    {
        var file = new Argument<string>("FILE")
        {
            Description = "A UTF-8 TSV file of 'prediction<TAB>reference[<TAB>reference...]' lines ('#' lines are comments, empty lines are skipped), or '-' for standard input.",
        };
        var metrics = new Option<string>("--metrics", "-m")
        {
            Description = $"Comma-separated metrics: {ScoreMetricNames.Known}. BLEU and chrF are sacrebleu-compatible (0-100, corpus and per line); ROUGE is rouge-score-compatible (precision, recall, F against the first reference); exact_match and token_f1 follow SQuAD.",
            DefaultValueFactory = _ => DefaultMetrics,
        };
        var stem = new Option<bool>("--stem") { Description = "Porter-stem ROUGE tokens (rouge-score's use_stemmer=True)." };
        var json = new Option<bool>("--json") { Description = "Write JSON: {\"corpus\": {...}, \"items\": [{\"line\": N, ...}]}." };

        var command = new Command("score", "Score predictions against references with BLEU, chrF, ROUGE and SQuAD metrics. " + ExitCodes.Description)
        {
            file,
            metrics,
            stem,
            json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            IReadOnlyList<ScoreMetric> chosen = ScoreMetricNames.Parse(parse.GetValue(metrics) ?? DefaultMetrics);
            IReadOnlyList<ScoreLine> lines = await ScoreFileReader.ReadAsync(parse.GetValue(file)!, stdin, cancellationToken).ConfigureAwait(false);
            ScoreReport report = ScoreReport.Compute(lines, chosen, parse.GetValue(stem), cancellationToken);
            TextWriter output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(ScoreReportWriter.ToJson(report)).ConfigureAwait(false);
            }
            else
            {
                await output.WriteAsync(ScoreReportWriter.ToText(report)).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
