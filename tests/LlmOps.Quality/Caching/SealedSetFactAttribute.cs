namespace LlmOps.Quality.Caching;

/// <summary>
/// A fact that runs only when <see cref="SealedCachePairsMeasurement.Variable"/> names a sealed set, and is reported as
/// skipped (with the reason) otherwise: the sealed sets live outside the repository and each is measured once, by hand.
/// </summary>
public sealed class SealedSetFactAttribute : FactAttribute
{
    /// <summary>Initializes a new instance of the <see cref="SealedSetFactAttribute"/> class.</summary>
    public SealedSetFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(SealedCachePairsMeasurement.Variable) is not { Length: > 0 })
        {
            Skip = $"{SealedCachePairsMeasurement.Variable} is not set: a sealed set lives outside the repository and is measured once, by hand (README, semantic cache).";
        }
    }
}
