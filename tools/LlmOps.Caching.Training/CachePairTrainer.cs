namespace LlmOps.Caching.Training;

/// <summary>
/// Trains the pair check: logistic regression by full-batch gradient descent from zero weights with L2 (no randomness,
/// fixed epochs, pairs in file order), so the same data always gives the same weights. Then chooses the operating point
/// (similarity threshold and logit cutoff) on the training pairs only.
/// </summary>
internal sealed class CachePairTrainer
{
    /// <summary>Gets or sets the number of gradient steps.</summary>
    public int Epochs { get; set; } = 4000;

    /// <summary>Gets or sets the step size.</summary>
    public float LearningRate { get; set; } = 0.5f;

    /// <summary>Gets or sets the L2 penalty per pair (the bias is not penalised).</summary>
    public float L2 { get; set; } = 0.002f;

    /// <summary>Gets or sets the weight of a must-differ pair relative to a paraphrase (false hits cost more than misses).</summary>
    public float DifferentWeight { get; set; } = 3f;

    /// <summary>Gets or sets the lowest similarity of a pair used for training (the pairs the check will actually see).</summary>
    public float SimilarityFloor { get; set; } = 0.6f;

    /// <summary>Gets or sets the highest share of must-differ training pairs the chosen operating point may serve.</summary>
    public double TargetFalseHitRate { get; set; }

    /// <summary>
    /// Gets or sets the lowest similarity threshold the operating point may use. Below it, questions on unrelated topics
    /// start to reach the pair check, and the authored sets (near misses and paraphrases) do not sample those; 0.70
    /// costs 7 paraphrases of 402 in cross-validation against 0.55, for one false hit fewer.
    /// </summary>
    public float LowestThreshold { get; set; } = 0.70f;

    /// <summary>Gets or sets the similarity threshold to use; <see langword="null"/> to choose it with the cutoff.</summary>
    public float? FixedThreshold { get; set; }

    /// <summary>Gets or sets a value indicating whether the lexical guards reject on their own (otherwise they are only features).</summary>
    public bool HardGuards { get; set; } = true;

    /// <summary>Whether the cache serves the pair at this operating point.</summary>
    public bool Served(ScoredPair p, float threshold, CachePairModel model)
        => (!HardGuards || p.GuardsPass) && p.Similarity >= threshold && (p.SameWords || model.Score(p.Features) >= model.Cutoff);

    /// <summary>Fits the weights.</summary>
    public float[] Fit(IReadOnlyList<ScoredPair> pairs)
    {
        var train = pairs.Where(p => p.Similarity >= SimilarityFloor && (!HardGuards || p.GuardsPass)).ToList();
        var d = CachePairFeatures.Count;
        var w = new double[d];
        var gradient = new double[d];
        double totalWeight = 0;
        foreach (var p in train)
        {
            totalWeight += p.Pair.Same ? 1 : DifferentWeight;
        }

        for (var epoch = 0; epoch < Epochs; epoch++)
        {
            Array.Clear(gradient);
            foreach (var p in train)
            {
                double z = 0;
                for (var k = 0; k < d; k++)
                {
                    z += w[k] * p.Features[k];
                }

                var predicted = 1 / (1 + Math.Exp(-z));
                var error = (predicted - (p.Pair.Same ? 1 : 0)) * (p.Pair.Same ? 1 : DifferentWeight);
                for (var k = 0; k < d; k++)
                {
                    gradient[k] += error * p.Features[k];
                }
            }

            for (var k = 0; k < d; k++)
            {
                var penalty = k == CachePairFeatures.Bias ? 0 : L2 * w[k];
                w[k] -= LearningRate * ((gradient[k] / totalWeight) + penalty);
            }
        }

        return w.Select(x => (float)x).ToArray();
    }

    /// <summary>
    /// Chooses the similarity threshold and logit cutoff that serve the most paraphrases while serving at most
    /// <see cref="TargetFalseHitRate"/> of the must-differ pairs (guards on).
    /// </summary>
    public (float Threshold, float Cutoff) ChooseOperatingPoint(IReadOnlyList<ScoredPair> pairs, float[] weights)
    {
        var model = new CachePairModel(weights, 0f);
        var logits = pairs.Select(p => model.Score(p.Features)).ToArray();
        var different = pairs.Count(p => !p.Pair.Same);
        var allowed = (int)Math.Floor(TargetFalseHitRate * different);
        (float T, float C, int Hits) best = (0.84f, float.PositiveInfinity, -1);
        var (from, to) = FixedThreshold is { } fixedThreshold ? ((int)MathF.Round(fixedThreshold * 100), (int)MathF.Round(fixedThreshold * 100)) : ((int)MathF.Round(LowestThreshold * 100), 92);
        for (var t = from; t <= to; t++)
        {
            var threshold = t / 100f;

            // The cutoff: the smallest logit that keeps the must-differ pairs served at or under the allowance.
            var negatives = new List<float>();
            for (var i = 0; i < pairs.Count; i++)
            {
                if (!pairs[i].Pair.Same && (!HardGuards || pairs[i].GuardsPass) && pairs[i].Similarity >= threshold && !pairs[i].SameWords)
                {
                    negatives.Add(logits[i]);
                }
            }

            negatives.Sort();
            negatives.Reverse();
            var cutoff = negatives.Count <= allowed ? float.NegativeInfinity : BitIncrement(negatives[allowed]);
            cutoff = Math.Max(cutoff, -2f);
            var hits = 0;
            for (var i = 0; i < pairs.Count; i++)
            {
                if (pairs[i].Pair.Same && (!HardGuards || pairs[i].GuardsPass) && pairs[i].Similarity >= threshold && (pairs[i].SameWords || logits[i] >= cutoff))
                {
                    hits++;
                }
            }

            // Ties go to the higher threshold (fewer pairs reach the check at all).
            if (hits >= best.Hits)
            {
                best = (threshold, cutoff, hits);
            }
        }

        return (best.T, best.C);
    }

    private static float BitIncrement(float x) => MathF.BitIncrement(x);
}
