namespace LlmOps.Prompts;

/// <summary>The result of comparing a variant with the control.</summary>
/// <param name="Method"><c>two-proportion z-test</c> or <c>Welch t-test</c>.</param>
/// <param name="Statistic">The z or t statistic (variant minus control).</param>
/// <param name="DegreesOfFreedom">The Welch–Satterthwaite degrees of freedom; <see langword="null"/> for the z-test.</param>
/// <param name="PValue">The two-sided p-value.</param>
/// <param name="IsSignificant">Whether <paramref name="PValue"/> is below the experiment's alpha (0.05).</param>
public sealed record SignificanceTest(string Method, double Statistic, double? DegreesOfFreedom, double PValue, bool IsSignificant);
