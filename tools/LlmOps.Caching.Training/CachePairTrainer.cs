namespace LlmOps.Caching.Training;

/// <summary>
/// Trains the pair check and chooses its operating point. The model is a gradient-boosted tree ensemble
/// (<see cref="BoostedTrees"/>) over <see cref="CachePairFeatures"/>, whose inputs include the lexical guards' verdicts;
/// a guard stays a hard rule only when it rejects no paraphrase of the training pairs (<see cref="GuardMode.Auto"/>).
/// The similarity threshold and the score cutoff are chosen on out-of-fold scores (each training author scored by a
/// model fitted on the other training authors), since a tree ensemble fits its own training pairs almost perfectly.
/// Deterministic: the same pairs give the same model.
/// </summary>
internal sealed class CachePairTrainer
{
    /// <summary>Gets the tree settings.</summary>
    public BoostedTrees Trees { get; } = new();

    /// <summary>Gets or sets the model family: trees (shipped) or the earlier logistic regression (for comparison).</summary>
    public PairModelKind Kind { get; set; } = PairModelKind.Trees;

    /// <summary>Gets or sets which lexical guards stay hard rules.</summary>
    public GuardMode Guards { get; set; } = GuardMode.Hard;

    /// <summary>Gets or sets the weight of a must-differ pair relative to a paraphrase (false hits cost more than misses).</summary>
    public double DifferentWeight { get; set; } = 3;

    /// <summary>Gets or sets how far below the lowest threshold a pair still counts for training.</summary>
    public float TrainingMargin { get; set; } = 0.15f;

    /// <summary>Gets or sets the highest share of must-differ training pairs (out of fold) the operating point may serve.</summary>
    public double TargetFalseHitRate { get; set; } = 0.01;

    /// <summary>
    /// Gets or sets the lowest similarity threshold the operating point may use. Below it, questions on unrelated topics
    /// start to reach the pair check, and the authored sets (near misses and paraphrases) do not sample those.
    /// </summary>
    public float LowestThreshold { get; set; } = 0.65f;

    /// <summary>Gets or sets the similarity threshold to use; <see langword="null"/> to choose it with the cutoff.</summary>
    public float? FixedThreshold { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the operating point is chosen on out-of-fold scores (otherwise on the
    /// model's own training pairs, as the earlier logistic model was).
    /// </summary>
    public bool OutOfFold { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether the model also learns from the pairs a hard guard rejects (they never reach
    /// it when served, but they teach it what a swapped unit, time or currency looks like).
    /// </summary>
    public bool FitGuardRejected { get; set; }

    /// <summary>Gets or sets the logistic regression settings (for <see cref="PairModelKind.Logistic"/>).</summary>
    public LogisticRegression Logistic { get; } = new();

    /// <summary>Whether the pair passes every guard in <paramref name="guards"/> (its verdicts are features).</summary>
    public static bool GuardsPass(ScoredPair p, SemanticCacheGuards guards)
        => ((guards & SemanticCacheGuards.Polarity) == 0 || p.Features[CachePairFeatures.GuardVerdicts] == 0f)
            && ((guards & SemanticCacheGuards.Numbers) == 0 || p.Features[CachePairFeatures.GuardVerdicts + 1] == 0f)
            && ((guards & SemanticCacheGuards.QuotedStrings) == 0 || p.Features[CachePairFeatures.GuardVerdicts + 2] == 0f)
            && ((guards & SemanticCacheGuards.Entities) == 0 || p.Features[CachePairFeatures.GuardVerdicts + 3] == 0f);

    /// <summary>The hard guards for these training pairs under <see cref="Guards"/>.</summary>
    public SemanticCacheGuards ChooseHardGuards(IReadOnlyList<ScoredPair> pairs)
    {
        if (Guards != GuardMode.Auto)
        {
            return Guards == GuardMode.Hard ? CachePairModel.LexicalGuards : SemanticCacheGuards.None;
        }

        var hard = SemanticCacheGuards.None;
        foreach (var guard in new[] { SemanticCacheGuards.Polarity, SemanticCacheGuards.Numbers, SemanticCacheGuards.QuotedStrings, SemanticCacheGuards.Entities })
        {
            if (pairs.All(p => !p.Pair.Same || GuardsPass(p, guard)))
            {
                hard |= guard;
            }
        }

        return hard;
    }

    /// <summary>Trains on <paramref name="pairs"/>: the hard guards, the model, and its operating point.</summary>
    public TrainedCheck Train(IReadOnlyList<ScoredPair> pairs)
    {
        var hard = ChooseHardGuards(pairs);
        var authors = pairs.Select(p => p.Pair.Author).Distinct().Order(StringComparer.Ordinal).ToList();

        // Out-of-fold scores: each author by a model fitted on the others (in-sample when there is one author only).
        var outOfFold = new float[pairs.Count];
        if (!OutOfFold || authors.Count < 2)
        {
            var scorer = Fit(pairs, hard);
            for (var i = 0; i < pairs.Count; i++)
            {
                outOfFold[i] = scorer.Score(pairs[i].Features);
            }
        }
        else
        {
            foreach (var held in authors)
            {
                var scorer = Fit(pairs.Where(p => p.Pair.Author != held).ToList(), hard);
                for (var i = 0; i < pairs.Count; i++)
                {
                    if (pairs[i].Pair.Author == held)
                    {
                        outOfFold[i] = scorer.Score(pairs[i].Features);
                    }
                }
            }
        }

        var (threshold, cutoff) = ChooseOperatingPoint(pairs, outOfFold, hard);
        return new TrainedCheck(Fit(pairs, hard, cutoff), threshold, hard);
    }

    /// <summary>Fits the model (cutoff 0 unless given) on the pairs the check will see.</summary>
    public IPairScorer Fit(IReadOnlyList<ScoredPair> pairs, SemanticCacheGuards hard, float cutoff = 0f)
    {
        var floor = (FixedThreshold ?? LowestThreshold) - TrainingMargin;
        var train = pairs.Where(p => p.Similarity >= floor && (FitGuardRejected || GuardsPass(p, hard))).ToList();
        var x = train.Select(p => p.Features).ToList();
        var y = train.Select(p => p.Pair.Same).ToList();
        var w = train.Select(p => p.Pair.Same ? 1 : DifferentWeight).ToList();
        return Kind == PairModelKind.Trees
            ? new TreeScorer(Trees.Fit(x, y, w, cutoff, hard))
            : Logistic.Fit(x, y, w, cutoff);
    }

    /// <summary>
    /// Chooses the similarity threshold and score cutoff that serve the most paraphrases while serving at most
    /// <see cref="TargetFalseHitRate"/> of the must-differ pairs, from the given (out-of-fold) scores.
    /// </summary>
    public (float Threshold, float Cutoff) ChooseOperatingPoint(IReadOnlyList<ScoredPair> pairs, IReadOnlyList<float> scores, SemanticCacheGuards hard)
    {
        var different = pairs.Count(p => !p.Pair.Same);
        var allowed = (int)Math.Floor(TargetFalseHitRate * different);
        (float T, float C, int Hits) best = (0.84f, float.PositiveInfinity, -1);
        var (from, to) = FixedThreshold is { } fixedThreshold
            ? ((int)MathF.Round(fixedThreshold * 100), (int)MathF.Round(fixedThreshold * 100))
            : ((int)MathF.Round(LowestThreshold * 100), 92);
        for (var t = from; t <= to; t++)
        {
            var threshold = t / 100f;
            var reaching = Enumerable.Range(0, pairs.Count).Where(i => pairs[i].Similarity >= threshold).ToList();

            // The cutoff: the smallest score that keeps the must-differ pairs served at or under the allowance.
            var negatives = reaching.Where(i => !pairs[i].Pair.Same && !pairs[i].SameWords && GuardsPass(pairs[i], hard)).Select(i => scores[i]).OrderDescending().ToList();
            var falseBySameWords = reaching.Count(i => !pairs[i].Pair.Same && pairs[i].SameWords);
            var left = Math.Max(0, allowed - falseBySameWords);
            var cutoff = negatives.Count <= left ? float.NegativeInfinity : MathF.BitIncrement(negatives[left]);
            cutoff = Math.Max(cutoff, -2f);
            var hits = reaching.Count(i => pairs[i].Pair.Same && (pairs[i].SameWords || (GuardsPass(pairs[i], hard) && scores[i] >= cutoff)))
                + pairs.Count(p => p.Pair.Same && p.Similarity < threshold && CachePairModel.SameWordsBelowThreshold(p.Features, p.Similarity));

            // Ties go to the higher threshold (fewer pairs reach the check at all).
            if (hits >= best.Hits)
            {
                best = (threshold, cutoff, hits);
            }
        }

        return (best.T, best.C);
    }
}
