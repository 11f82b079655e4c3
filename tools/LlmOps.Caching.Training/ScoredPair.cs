namespace LlmOps.Caching.Training;

/// <summary>A pair with everything the cache decides on: embedding similarity, the lexical guards' verdict, the pair features.</summary>
/// <param name="SameWords">Whether the rule <see cref="CachePairModel.SameWords"/> passes the pair without the model.</param>
internal sealed record ScoredPair(LabelledPair Pair, float Similarity, bool GuardsPass, float[] Features, bool SameWords = false);
