namespace LlmOps.Caching.Training;

/// <summary>
/// Gradient boosting of depth-limited regression trees on the weighted logistic loss, with Newton leaf values and an L2
/// penalty on them (the XGBoost formulation: Chen and Guestrin, "XGBoost: A Scalable Tree Boosting System", KDD 2016,
/// exact greedy split finding). Deterministic: no sampling; every feature's pairs are sorted once (ties by index); the
/// best split is the first of the highest gain in feature order, then threshold order.
/// </summary>
internal sealed class BoostedTrees
{
    /// <summary>Gets or sets the number of trees.</summary>
    public int Trees { get; set; } = 200;

    /// <summary>Gets or sets the depth of every tree.</summary>
    public int Depth { get; set; } = 3;

    /// <summary>Gets or sets the shrinkage applied to every leaf value.</summary>
    public double LearningRate { get; set; } = 0.1;

    /// <summary>Gets or sets the L2 penalty on leaf values (λ).</summary>
    public double Lambda { get; set; } = 1;

    /// <summary>Gets or sets the least hessian weight on each side of a split.</summary>
    public double MinChildWeight { get; set; } = 1;

    /// <summary>Fits the trees to <paramref name="features"/> (one row per pair) and labels.</summary>
    /// <param name="features">The pairs' features.</param>
    /// <param name="same">Whether each pair is a paraphrase.</param>
    /// <param name="weights">Each pair's weight.</param>
    /// <param name="cutoff">The cutoff to store in the model.</param>
    /// <param name="hardGuards">The hard guards to store in the model.</param>
    /// <returns>The model.</returns>
    public CachePairModel Fit(IReadOnlyList<float[]> features, IReadOnlyList<bool> same, IReadOnlyList<double> weights, float cutoff, SemanticCacheGuards hardGuards)
    {
        var n = features.Count;
        var d = CachePairFeatures.Count;
        var splitsPerTree = (1 << Depth) - 1;
        var leavesPerTree = 1 << Depth;

        // Every feature's order, once (stable: ties keep the pairs' order).
        var order = new int[d][];
        for (var f = 0; f < d; f++)
        {
            var keys = new float[n];
            var index = new int[n];
            for (var i = 0; i < n; i++)
            {
                keys[i] = features[i][f];
                index[i] = i;
            }

            order[f] = index.OrderBy(i => keys[i]).ThenBy(i => i).ToArray();
        }

        double positive = 0, total = 0;
        for (var i = 0; i < n; i++)
        {
            total += weights[i];
            positive += same[i] ? weights[i] : 0;
        }

        var baseScore = (float)Math.Log(Math.Max(positive, 1e-9) / Math.Max(total - positive, 1e-9));
        var score = Enumerable.Repeat((double)baseScore, n).ToArray();
        var g = new double[n];
        var h = new double[n];
        var node = new int[n];
        var splitFeatures = new int[Trees * splitsPerTree];
        var thresholds = new float[Trees * splitsPerTree];
        var leaves = new float[Trees * leavesPerTree];

        var nodeG = new double[leavesPerTree];
        var nodeH = new double[leavesPerTree];
        var leftG = new double[leavesPerTree];
        var leftH = new double[leavesPerTree];
        var last = new float[leavesPerTree];
        var seen = new bool[leavesPerTree];
        var bestGain = new double[leavesPerTree];
        var bestFeature = new int[leavesPerTree];
        var bestThreshold = new float[leavesPerTree];

        for (var t = 0; t < Trees; t++)
        {
            for (var i = 0; i < n; i++)
            {
                var p = 1 / (1 + Math.Exp(-score[i]));
                g[i] = weights[i] * (p - (same[i] ? 1 : 0));
                h[i] = weights[i] * Math.Max(p * (1 - p), 1e-12);
                node[i] = 0;
            }

            // Level by level; node[i] is the pair's node within the level (0 .. 2^level - 1).
            for (var level = 0; level < Depth; level++)
            {
                var nodes = 1 << level;
                Array.Clear(nodeG, 0, nodes);
                Array.Clear(nodeH, 0, nodes);
                for (var i = 0; i < n; i++)
                {
                    nodeG[node[i]] += g[i];
                    nodeH[node[i]] += h[i];
                }

                for (var k = 0; k < nodes; k++)
                {
                    bestGain[k] = 1e-9;
                    bestFeature[k] = CachePairFeatures.Bias;
                    bestThreshold[k] = 1f;
                }

                for (var f = 0; f < d; f++)
                {
                    if (f == CachePairFeatures.Bias)
                    {
                        continue;
                    }

                    Array.Clear(leftG, 0, nodes);
                    Array.Clear(leftH, 0, nodes);
                    Array.Clear(seen, 0, nodes);
                    foreach (var i in order[f])
                    {
                        var k = node[i];
                        var v = features[i][f];
                        if (seen[k] && v > last[k] && leftH[k] >= MinChildWeight && nodeH[k] - leftH[k] >= MinChildWeight)
                        {
                            var rightG = nodeG[k] - leftG[k];
                            var rightH = nodeH[k] - leftH[k];
                            var gain = (leftG[k] * leftG[k] / (leftH[k] + Lambda)) + (rightG * rightG / (rightH + Lambda)) - (nodeG[k] * nodeG[k] / (nodeH[k] + Lambda));
                            if (gain > bestGain[k])
                            {
                                bestGain[k] = gain;
                                bestFeature[k] = f;
                                bestThreshold[k] = Midpoint(last[k], v);
                            }
                        }

                        leftG[k] += g[i];
                        leftH[k] += h[i];
                        last[k] = v;
                        seen[k] = true;
                    }
                }

                var offset = (t * splitsPerTree) + nodes - 1;
                for (var k = 0; k < nodes; k++)
                {
                    splitFeatures[offset + k] = bestFeature[k];
                    thresholds[offset + k] = bestThreshold[k];
                }

                for (var i = 0; i < n; i++)
                {
                    var k = node[i];
                    node[i] = (2 * k) + (features[i][bestFeature[k]] > bestThreshold[k] ? 1 : 0);
                }
            }

            Array.Clear(nodeG);
            Array.Clear(nodeH);
            for (var i = 0; i < n; i++)
            {
                nodeG[node[i]] += g[i];
                nodeH[node[i]] += h[i];
            }

            for (var k = 0; k < leavesPerTree; k++)
            {
                leaves[(t * leavesPerTree) + k] = (float)(-LearningRate * nodeG[k] / (nodeH[k] + Lambda));
            }

            for (var i = 0; i < n; i++)
            {
                score[i] += leaves[(t * leavesPerTree) + node[i]];
            }
        }

        return new CachePairModel(Depth, splitFeatures, thresholds, leaves, baseScore, cutoff, hardGuards);
    }

    /// <summary>A threshold between two distinct values: at least <paramref name="low"/>, below <paramref name="high"/>.</summary>
    private static float Midpoint(float low, float high)
    {
        var mid = low + ((high - low) / 2);
        return mid >= high ? low : mid;
    }
}
