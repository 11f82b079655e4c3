using LlmOps.Evaluation;
using LlmOps.Evaluation.Metrics;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Cli.Eval;

/// <summary>Maps the command-line metric names to the evaluation package's evaluators and result names.</summary>
internal static class EvalMetrics
{
    public static string ResultName(ScoreMetric metric) => metric switch
    {
        ScoreMetric.Bleu => BleuEvaluator.BleuMetricName,
        ScoreMetric.ChrF => ChrFEvaluator.ChrFMetricName,
        ScoreMetric.ChrFPlusPlus => ChrFEvaluator.ChrFPlusPlusMetricName,
        ScoreMetric.Rouge1 => RougeEvaluator.Rouge1MetricName,
        ScoreMetric.Rouge2 => RougeEvaluator.Rouge2MetricName,
        ScoreMetric.RougeL => RougeEvaluator.RougeLMetricName,
        ScoreMetric.RougeLsum => RougeEvaluator.RougeLsumMetricName,
        ScoreMetric.ExactMatch => SquadAnswerEvaluator.ExactMatchMetricName,
        _ => SquadAnswerEvaluator.TokenF1MetricName,
    };

    public static IReadOnlyList<IEvaluator> Evaluators(IReadOnlyList<ScoreMetric> metrics, bool stem)
    {
        var evaluators = new List<IEvaluator>();
        if (metrics.Contains(ScoreMetric.Bleu))
        {
            evaluators.Add(new BleuEvaluator());
        }

        if (metrics.Contains(ScoreMetric.ChrF))
        {
            evaluators.Add(new ChrFEvaluator());
        }

        if (metrics.Contains(ScoreMetric.ChrFPlusPlus))
        {
            evaluators.Add(new ChrFEvaluator(new ChrFOptions { WordOrder = 2 }));
        }

        if (metrics.Any(m => m is ScoreMetric.Rouge1 or ScoreMetric.Rouge2 or ScoreMetric.RougeL or ScoreMetric.RougeLsum))
        {
            evaluators.Add(new RougeEvaluator(stem));
        }

        if (metrics.Any(m => m is ScoreMetric.ExactMatch or ScoreMetric.TokenF1))
        {
            evaluators.Add(new SquadAnswerEvaluator());
        }

        return evaluators;
    }

    /// <summary>Finds a result metric by its command-line name (rougeL) or its result name (ROUGE-L).</summary>
    public static string? Find(string name, IEnumerable<string> resultNames)
    {
        foreach (string result in resultNames)
        {
            if (string.Equals(result, name, StringComparison.OrdinalIgnoreCase))
            {
                return result;
            }
        }

        foreach (ScoreMetric metric in Enum.GetValues<ScoreMetric>())
        {
            if (string.Equals(ScoreMetricNames.NameOf(metric), name, StringComparison.OrdinalIgnoreCase))
            {
                return ResultName(metric);
            }
        }

        return null;
    }
}
