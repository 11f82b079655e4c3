using System.Globalization;

namespace LlmOps.Evaluation.Comparison;

/// <summary>
/// Decides whether a run may ship: it fails when a metric's mean drops below an absolute floor, or is significantly
/// below a baseline run on the same items (the whole paired bootstrap interval of current − baseline lies below −tolerance).
/// </summary>
public static class RegressionGate
{
    /// <summary>Checks one metric of a run.</summary>
    /// <param name="metric">The metric's name, for the messages.</param>
    /// <param name="current">The run's per-item scores.</param>
    /// <param name="minimumMean">The floor for the mean; <see langword="null"/> for none.</param>
    /// <param name="baseline">The baseline run's per-item scores on the same items; <see langword="null"/> for none.</param>
    /// <param name="tolerance">How far below the baseline counts as no regression. The default is 0.</param>
    /// <param name="confidence">The bootstrap interval's confidence level. The default is 0.95.</param>
    /// <returns>Whether the gate passed, and why not.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="metric"/> or <paramref name="current"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="current"/> is empty, or the baseline has a different number of items.</exception>
    public static GateResult Check(string metric, IReadOnlyList<double> current, double? minimumMean = null, IReadOnlyList<double>? baseline = null, double tolerance = 0, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(current);
        if (current.Count == 0)
        {
            throw new ArgumentException("The run has no scores for this metric; there is nothing to gate.", nameof(current));
        }

        var failures = new List<string>();
        double mean = current.Average();
        if (minimumMean is { } floor && mean < floor)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{metric}: mean {mean:0.####} is below the minimum {floor:0.####}."));
        }

        BootstrapComparison? comparison = null;
        if (baseline is not null)
        {
            comparison = PairedComparison.Bootstrap(baseline, current, confidence);
            if (comparison.Upper < -tolerance)
            {
                failures.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{metric}: significantly below the baseline, mean difference {comparison.MeanDifference:0.####} ({confidence:P0} interval {comparison.Lower:0.####} to {comparison.Upper:0.####})."));
            }
        }

        return new GateResult(failures.Count == 0, failures, mean, comparison);
    }
}
