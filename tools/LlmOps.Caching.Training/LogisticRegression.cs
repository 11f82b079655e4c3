namespace LlmOps.Caching.Training;

/// <summary>
/// The earlier pair model, kept for comparison: logistic regression by full-batch gradient descent from zero weights with
/// L2 (no randomness, fixed epochs, pairs in order).
/// </summary>
internal sealed class LogisticRegression
{
    /// <summary>Gets or sets the number of gradient steps.</summary>
    public int Epochs { get; set; } = 4000;

    /// <summary>Gets or sets the step size.</summary>
    public double LearningRate { get; set; } = 0.5;

    /// <summary>Gets or sets the L2 penalty per pair (the bias is not penalised).</summary>
    public double L2 { get; set; } = 0.002;

    /// <summary>Fits the weights.</summary>
    public IPairScorer Fit(IReadOnlyList<float[]> features, IReadOnlyList<bool> same, IReadOnlyList<double> weights, float cutoff)
    {
        var d = CachePairFeatures.Count;
        var w = new double[d];
        var gradient = new double[d];
        var totalWeight = weights.Sum();
        for (var epoch = 0; epoch < Epochs; epoch++)
        {
            Array.Clear(gradient);
            for (var i = 0; i < features.Count; i++)
            {
                double z = 0;
                for (var k = 0; k < d; k++)
                {
                    z += w[k] * features[i][k];
                }

                var error = ((1 / (1 + Math.Exp(-z))) - (same[i] ? 1 : 0)) * weights[i];
                for (var k = 0; k < d; k++)
                {
                    gradient[k] += error * features[i][k];
                }
            }

            for (var k = 0; k < d; k++)
            {
                var penalty = k == CachePairFeatures.Bias ? 0 : L2 * w[k];
                w[k] -= LearningRate * ((gradient[k] / totalWeight) + penalty);
            }
        }

        return new Scorer(w.Select(x => (float)x).ToArray(), cutoff);
    }

    private sealed record Scorer(float[] Weights, float Cutoff) : IPairScorer
    {
        public float Score(float[] features)
        {
            var sum = 0f;
            for (var i = 0; i < Weights.Length; i++)
            {
                sum += Weights[i] * features[i];
            }

            return sum;
        }
    }
}
