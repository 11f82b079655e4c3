namespace LlmOps.Caching.Training;

/// <summary>A trained pair model as the tool sees it: a score per pair and the cutoff at or above which a pair passes.</summary>
internal interface IPairScorer
{
    /// <summary>Gets the score at or above which a pair passes.</summary>
    float Cutoff { get; }

    /// <summary>Scores a pair's features.</summary>
    float Score(float[] features);
}
