using System.Globalization;
using LlmOps.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Microsoft.Extensions.Logging;

namespace LlmOps.Evaluation.Judges;

/// <summary>Runs a 1–5 scoring judge k times and turns the runs into a metric with its stability.</summary>
internal static class ScoreJudge
{
    public static async Task<EvaluationResult> EvaluateAsync(
        string metricName,
        IChatClient judge,
        PromptTemplate builtInPrompt,
        string material,
        JudgeOptions options,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        PromptTemplate template = await JudgePrompts.ResolveAsync(options, builtInPrompt, cancellationToken).ConfigureAwait(false);
        ChatMessage[] prompt = JudgePrompts.Render(template, material);
        var scores = new List<double>(options.Runs);
        var reasons = new List<string>(options.Runs);
        for (int run = 1; run <= options.Runs; run++)
        {
            (bool ok, (int Score, string Reason) value, string problem) = await JudgeCalls.AskAsync<(int, string)>(
                judge,
                prompt,
                options,
                run,
                static (string answer, out (int, string) v, out string p) =>
                {
                    bool r = JudgeAnswerParser.TryParseScore(answer, 1, 5, out int s, out string why, out p);
                    v = (s, why);
                    return r;
                },
                logger,
                cancellationToken).ConfigureAwait(false);
            if (!ok)
            {
                var failed = new NumericMetric(metricName);
                failed.AddDiagnostics(EvaluationDiagnostic.Error(
                    $"The judge gave no usable answer in run {run} after {options.MaxAttempts} attempts: {problem}. Use a judge model that follows the JSON format, or raise JudgeOptions.MaxAttempts."));
                return new EvaluationResult(failed);
            }

            scores.Add(value.Score);
            reasons.Add(value.Reason);
        }

        JudgeStatistics stats = JudgeStatistics.Compute(scores, options.PassThreshold);
        var metric = new NumericMetric(metricName, stats.Mean, reasons[0])
        {
            Interpretation = Interpret(stats, options),
        };
        metric.AddOrUpdateMetadata("judge-prompt", JudgePrompts.Describe(template));
        metric.AddOrUpdateMetadata("runs", options.Runs.ToString(CultureInfo.InvariantCulture));
        metric.AddOrUpdateMetadata("scores", string.Join(",", scores.Select(s => s.ToString(CultureInfo.InvariantCulture))));
        metric.AddOrUpdateMetadata("sd", stats.StandardDeviation.ToString("R", CultureInfo.InvariantCulture));
        metric.AddOrUpdateMetadata("pass@k", stats.PassAtK.ToString("R", CultureInfo.InvariantCulture));
        metric.AddOrUpdateMetadata("pass^k", stats.PassHatK.ToString("R", CultureInfo.InvariantCulture));
        return new EvaluationResult(metric);
    }

    private static EvaluationMetricInterpretation Interpret(JudgeStatistics stats, JudgeOptions options)
    {
        EvaluationRating rating = stats.Mean switch
        {
            >= 4.5 => EvaluationRating.Exceptional,
            >= 3.5 => EvaluationRating.Good,
            >= 2.5 => EvaluationRating.Average,
            >= 1.5 => EvaluationRating.Poor,
            _ => EvaluationRating.Unacceptable,
        };
        bool failed = stats.Mean < options.PassThreshold;
        string reason = string.Create(
            CultureInfo.InvariantCulture,
            $"Mean {stats.Mean:0.##} over {stats.Scores.Count} run(s) (sd {stats.StandardDeviation:0.##}, pass@{stats.K} {stats.PassAtK:0.##}, pass^{stats.K} {stats.PassHatK:0.##}) against the threshold {options.PassThreshold:0.##}.");
        return new EvaluationMetricInterpretation(rating, failed, reason);
    }
}
