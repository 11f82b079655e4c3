using System.Globalization;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation;

/// <summary>What the reference-based evaluators share: finding the references, reporting their absence, interpreting scores.</summary>
internal static class EvaluatorSupport
{
    public static IReadOnlyList<string>? FindReferences(IEnumerable<EvaluationContext>? additionalContext)
    {
        if (additionalContext is null)
        {
            return null;
        }

        foreach (EvaluationContext context in additionalContext)
        {
            if (context is ReferenceContext references)
            {
                return references.References;
            }
        }

        return null;
    }

    /// <summary>A result whose one metric carries no value and an error diagnostic.</summary>
    public static EvaluationResult Error(string metricName, string message) => Error([metricName], message);

    /// <summary>A result whose metrics carry no value and the same error diagnostic.</summary>
    public static EvaluationResult Error(IEnumerable<string> metricNames, string message)
    {
        var metrics = new List<EvaluationMetric>();
        foreach (string name in metricNames)
        {
            var metric = new NumericMetric(name);
            metric.AddDiagnostics(EvaluationDiagnostic.Error(message));
            metrics.Add(metric);
        }

        return new EvaluationResult(metrics);
    }

    /// <summary>A result whose metrics carry no value and an error that says how to supply the references.</summary>
    public static EvaluationResult MissingReferences(string evaluator, IEnumerable<string> metricNames) =>
        Error(metricNames, $"{evaluator} needs reference text: pass a {nameof(ReferenceContext)} in additionalContext (new ReferenceContext(\"expected answer\")).");

    /// <summary>Rates a score by the share of its maximum it reaches, and fails it below the pass threshold.</summary>
    public static EvaluationMetricInterpretation Interpret(double value, double maximum, double passThreshold)
    {
        double share = maximum > 0 ? value / maximum : 0;
        EvaluationRating rating = share switch
        {
            >= 0.8 => EvaluationRating.Exceptional,
            >= 0.6 => EvaluationRating.Good,
            >= 0.4 => EvaluationRating.Average,
            >= 0.2 => EvaluationRating.Poor,
            _ => EvaluationRating.Unacceptable,
        };
        bool failed = value < passThreshold;
        string reason = string.Create(
            CultureInfo.InvariantCulture,
            $"{value:0.####} is {(failed ? "below" : "at or above")} the pass threshold {passThreshold:0.####} (scale 0–{maximum:0.##}).");
        return new EvaluationMetricInterpretation(rating, failed, reason);
    }

    public static NumericMetric Metric(string name, double value, double maximum, double passThreshold, string reason)
    {
        var metric = new NumericMetric(name, value, reason)
        {
            Interpretation = Interpret(value, maximum, passThreshold),
        };
        return metric;
    }

    public static void ValidateThreshold(double passThreshold, double maximum, string parameterName)
    {
        if (!double.IsFinite(passThreshold) || passThreshold < 0 || passThreshold > maximum)
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                passThreshold,
                string.Create(CultureInfo.InvariantCulture, $"The pass threshold must be in [0, {maximum}] (the metric's scale); was {passThreshold}."));
        }
    }
}
