namespace LlmOps.Evaluation.Runs;

/// <summary>The result of one dataset item.</summary>
/// <param name="ItemId">The item's id.</param>
/// <param name="Response">The target's response text (<see langword="null"/> when the call failed).</param>
/// <param name="Metrics">Each numeric metric's value (<see langword="null"/> when the evaluation gave none).</param>
/// <param name="Errors">Errors of the target call and the evaluators.</param>
/// <param name="LatencyMilliseconds">The target call's latency.</param>
/// <param name="InputTokens">Input tokens the target reported.</param>
/// <param name="OutputTokens">Output tokens the target reported.</param>
public sealed record EvaluationItemResult(
    string ItemId,
    string? Response,
    IReadOnlyDictionary<string, double?> Metrics,
    IReadOnlyList<string> Errors,
    double LatencyMilliseconds,
    long? InputTokens,
    long? OutputTokens)
{
    /// <summary>
    /// Gets the cost of the target call that the metering stage recorded on the response (<c>response.GetCost()</c>,
    /// in the price catalog's currency); <see langword="null"/> when the target has no metering stage, the answer came
    /// from the cache (no provider call) or the call failed.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public decimal? Cost { get; init; }
}
