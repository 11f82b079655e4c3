namespace LlmOps.Caching.Training;

/// <summary>The shipped model type (<see cref="CachePairModel"/>) as an <see cref="IPairScorer"/>.</summary>
internal sealed record TreeScorer(CachePairModel Model) : IPairScorer
{
    /// <inheritdoc/>
    public float Cutoff => Model.Cutoff;

    /// <inheritdoc/>
    public float Score(float[] features) => Model.Score(features);
}
