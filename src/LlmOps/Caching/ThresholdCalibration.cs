namespace LlmOps.Caching;

/// <summary>The outcome of <see cref="SemanticCacheCalibrator"/>: the threshold and what it gives on the labelled pairs.</summary>
public sealed class ThresholdCalibration
{
    /// <summary>Gets the lowest similarity threshold at which precision stays at or above the target.</summary>
    public required float Threshold { get; init; }

    /// <summary>Gets the precision at <see cref="Threshold"/>: true hits over all hits (1 when there are no hits).</summary>
    public required double Precision { get; init; }

    /// <summary>Gets the hit rate at <see cref="Threshold"/>: paraphrase pairs served over all paraphrase pairs.</summary>
    public required double HitRate { get; init; }

    /// <summary>Gets the paraphrase pairs that would hit.</summary>
    public required int TruePositives { get; init; }

    /// <summary>Gets the non-paraphrase pairs that would hit (false hits).</summary>
    public required int FalsePositives { get; init; }

    /// <summary>Gets the number of paraphrase pairs.</summary>
    public required int Positives { get; init; }

    /// <summary>Gets the number of non-paraphrase pairs.</summary>
    public required int Negatives { get; init; }

    /// <summary>Gets the non-paraphrase pairs at or above the threshold that the guards rejected.</summary>
    public required int RejectedByGuards { get; init; }

    /// <inheritdoc/>
    public override string ToString()
        => $"threshold {Threshold:F4}: precision {Precision:P1}, hit rate {HitRate:P1} ({TruePositives}/{Positives}), false hits {FalsePositives}/{Negatives}, guard rejections {RejectedByGuards}";
}
