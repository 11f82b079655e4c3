namespace LlmOps.Prompts;

/// <summary>Per-variant figures of an experiment. Means and intervals are <see langword="null"/> without data.</summary>
public sealed record PromptVariantResult
{
    /// <summary>Gets the variant name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the number of recorded outcomes.</summary>
    public long Count { get; init; }

    /// <summary>Gets the number of outcomes with a success/failure value.</summary>
    public long Trials { get; init; }

    /// <summary>Gets the number of successes.</summary>
    public long Successes { get; init; }

    /// <summary>Gets the success rate.</summary>
    public double? SuccessRate { get; init; }

    /// <summary>Gets the 95% (Wald) interval of the success rate.</summary>
    public ConfidenceInterval? SuccessRateInterval { get; init; }

    /// <summary>Gets the number of scores.</summary>
    public long ScoreCount { get; init; }

    /// <summary>Gets the mean score.</summary>
    public double? MeanScore { get; init; }

    /// <summary>Gets the 95% (Student t) interval of the mean score.</summary>
    public ConfidenceInterval? ScoreInterval { get; init; }

    /// <summary>Gets the mean cost.</summary>
    public double? MeanCost { get; init; }

    /// <summary>Gets the 95% interval of the mean cost.</summary>
    public ConfidenceInterval? CostInterval { get; init; }

    /// <summary>Gets the mean latency in milliseconds.</summary>
    public double? MeanLatencyMilliseconds { get; init; }

    /// <summary>Gets the 95% interval of the mean latency in milliseconds.</summary>
    public ConfidenceInterval? LatencyInterval { get; init; }

    /// <summary>Gets the two-proportion z-test against the control (null for the control or without data).</summary>
    public SignificanceTest? SuccessRateTest { get; init; }

    /// <summary>Gets Welch's t-test of the score against the control (null for the control or without data).</summary>
    public SignificanceTest? ScoreTest { get; init; }
}
