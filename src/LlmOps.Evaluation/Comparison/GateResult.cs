namespace LlmOps.Evaluation.Comparison;

/// <summary>The outcome of a <see cref="RegressionGate"/> check.</summary>
/// <param name="Passed">Whether the gate passed.</param>
/// <param name="Failures">One message per failed condition, naming the metric and the figures.</param>
/// <param name="Mean">The run's mean.</param>
/// <param name="Baseline">The comparison with the baseline, when one was given.</param>
public sealed record GateResult(bool Passed, IReadOnlyList<string> Failures, double Mean, BootstrapComparison? Baseline);
