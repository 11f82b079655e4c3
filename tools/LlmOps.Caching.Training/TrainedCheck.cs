namespace LlmOps.Caching.Training;

/// <summary>A trained pair check: the model, the similarity threshold it was chosen with, and the hard lexical guards.</summary>
internal sealed record TrainedCheck(IPairScorer Scorer, float Threshold, SemanticCacheGuards HardGuards)
{
    /// <summary>
    /// Whether the cache serves the pair: the same words respelled at any similarity from
    /// <see cref="CachePairModel.SameWordsFloor"/>; otherwise, above the threshold, the same-words rule, or the hard guards
    /// and then the model (as <see cref="CachePairModel.Check"/> decides).
    /// </summary>
    public bool Served(ScoredPair p)
        => CachePairModel.SameWordsBelowThreshold(p.Features, p.Similarity)
        || (p.Similarity >= Threshold && (p.SameWords || (CachePairTrainer.GuardsPass(p, HardGuards) && Scorer.Score(p.Features) >= Scorer.Cutoff)));
}
