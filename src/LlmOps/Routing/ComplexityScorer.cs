using LlmOps.Metering;
using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>
/// An offline complexity scorer: maps a request to Small, Medium or Large from its own features (length, conversation
/// depth, task words, code, math, multi-step structure, requested output format, tools) with a three-class logistic
/// regression. No model call, no network; one pass over the last turn. Thread-safe and immutable.
/// </summary>
/// <remarks>
/// <para>
/// The default weights were trained with <see cref="Train"/> on the train split of the committed labelled set
/// (<c>data/routing/complexity.tsv</c>); the README and <c>benchmarks/results/RoutingScorer.md</c> report accuracy and
/// the confusion matrix on its held-out test split. Retrain on your own traffic with <see cref="Train"/>.
/// </para>
/// <para>As an <see cref="IRoutingPolicy"/> it answers <c>auto</c> requests with the most probable tier.</para>
/// </remarks>
public sealed class ComplexityScorer : IRoutingPolicy
{
    /// <summary>The tiers the scorer chooses between, in class order.</summary>
    public static readonly IReadOnlyList<ModelTier> Tiers = [ModelTier.Small, ModelTier.Medium, ModelTier.Large];

    // Trained by ComplexityScorer.Train on the train split of data/routing/complexity.tsv (see ComplexityScorerQualityTests).
    // Rows of 8: Small (2 rows), Medium (2 rows), Large (2 rows), each class over the 16 features in FeatureNames order.
    private static readonly float[] DefaultWeights =
    [
        2.8404f, -1.9716f, -1.8641f, -0.5869f, 2.227f, -4.5815f, -2.2158f, 0.0406f,
        -0.9973f, -1.1066f, -0.087f, -1.1149f, 0f, 1.7526f, 0f, 0.5055f,
        0.4356f, -1.1272f, -0.9921f, 0.193f, -1.5389f, 4.7503f, -2.5947f, -1.4705f,
        -1.3228f, -2.3739f, 0.012f, 1.0045f, 0f, -0.9199f, 0f, 1.2536f,
        -3.276f, 3.0988f, 2.8562f, 0.3938f, -0.6881f, -0.1688f, 4.8105f, 1.4299f,
        2.32f, 3.4805f, 0.075f, 0.1105f, 0f, -0.8328f, 0f, -1.7591f,
    ];

    private readonly float[] _weights;

    /// <summary>Initializes a new instance of the <see cref="ComplexityScorer"/> class with the shipped weights.</summary>
    public ComplexityScorer()
        : this(DefaultWeights)
    {
    }

    private ComplexityScorer(float[] weights)
    {
        _weights = weights.Length == Tiers.Count * ComplexityFeatures.Count ? weights : new float[Tiers.Count * ComplexityFeatures.Count];
    }

    /// <summary>Gets the weights, class by class (Small, Medium, Large), each over the features (bias first).</summary>
    public IReadOnlyList<float> Weights => _weights;

    /// <summary>Gets the feature names, in the order of <see cref="Weights"/> within a class.</summary>
    public static IReadOnlyList<string> FeatureNames => ComplexityFeatures.Names;

    /// <summary>Trains a scorer: multinomial logistic regression, full-batch gradient descent with L2, deterministic.</summary>
    /// <param name="samples">The labelled requests; each label must be Small, Medium or Large.</param>
    /// <param name="iterations">The gradient steps.</param>
    /// <param name="learningRate">The step size.</param>
    /// <param name="l2">The L2 penalty on non-bias weights.</param>
    /// <returns>The trained scorer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="samples"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No sample, or a label outside Small, Medium, Large.</exception>
    public static ComplexityScorer Train(IEnumerable<(IReadOnlyList<ChatMessage> Messages, ModelTier Tier)> samples, int iterations = 3000, float learningRate = 0.5f, float l2 = 0.001f)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        const int C = 3, F = ComplexityFeatures.Count;
        var xs = new List<float[]>();
        var ys = new List<int>();
        foreach (var (messages, tier) in samples)
        {
            var label = IndexOf(tier);
            if (label < 0)
            {
                throw new ArgumentException($"A sample is labelled '{tier}'; label every sample Small, Medium or Large.", nameof(samples));
            }

            var x = new float[F];
            ComplexityFeatures.Extract(messages, null, x);
            xs.Add(x);
            ys.Add(label);
        }

        if (xs.Count == 0)
        {
            throw new ArgumentException("There are no samples; give at least one per tier.", nameof(samples));
        }

        var w = new double[C * F];
        var grad = new double[C * F];
        Span<double> p = stackalloc double[C];
        for (var it = 0; it < iterations; it++)
        {
            Array.Clear(grad);
            for (var n = 0; n < xs.Count; n++)
            {
                Softmax(w, xs[n], p);
                for (var c = 0; c < C; c++)
                {
                    var err = p[c] - (ys[n] == c ? 1 : 0);
                    for (var f = 0; f < F; f++)
                    {
                        grad[(c * F) + f] += err * xs[n][f];
                    }
                }
            }

            for (var i = 0; i < w.Length; i++)
            {
                var reg = i % F == 0 ? 0 : l2 * w[i];
                w[i] -= learningRate * ((grad[i] / xs.Count) + reg);
            }
        }

        var weights = new float[C * F];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)Math.Round(w[i], 4);
        }

        return new ComplexityScorer(weights);
    }

    /// <summary>Scores a request: the probability of each tier (Small, Medium, Large).</summary>
    /// <param name="messages">The request messages.</param>
    /// <param name="options">The request options, or <see langword="null"/>.</param>
    /// <returns>The most probable tier and the three probabilities.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    public ComplexityScore Score(IReadOnlyList<ChatMessage> messages, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Span<float> x = stackalloc float[ComplexityFeatures.Count];
        ComplexityFeatures.Extract(messages, options, x);
        Span<float> z = stackalloc float[3];
        for (var c = 0; c < 3; c++)
        {
            var s = 0f;
            var row = _weights.AsSpan(c * ComplexityFeatures.Count, ComplexityFeatures.Count);
            for (var f = 0; f < row.Length; f++)
            {
                s += row[f] * x[f];
            }

            z[c] = s;
        }

        var max = MathF.Max(z[0], MathF.Max(z[1], z[2]));
        float e0 = MathF.Exp(z[0] - max), e1 = MathF.Exp(z[1] - max), e2 = MathF.Exp(z[2] - max), sum = e0 + e1 + e2;
        var best = z[0] >= z[1] && z[0] >= z[2] ? 0 : z[1] >= z[2] ? 1 : 2;
        return new ComplexityScore(Tiers[best], e0 / sum, e1 / sum, e2 / sum);
    }

    /// <inheritdoc/>
    public RoutingDecision? Choose(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        var score = Score(messages, options);
        return RoutingDecision.ForTier(score.Tier, score.Reason);
    }

    private static int IndexOf(ModelTier tier)
    {
        for (var i = 0; i < Tiers.Count; i++)
        {
            if (Tiers[i] == tier)
            {
                return i;
            }
        }

        return -1;
    }

    private static void Softmax(double[] w, float[] x, Span<double> p)
    {
        const int F = ComplexityFeatures.Count;
        var max = double.MinValue;
        for (var c = 0; c < p.Length; c++)
        {
            var s = 0.0;
            for (var f = 0; f < F; f++)
            {
                s += w[(c * F) + f] * x[f];
            }

            p[c] = s;
            max = Math.Max(max, s);
        }

        var sum = 0.0;
        for (var c = 0; c < p.Length; c++)
        {
            p[c] = Math.Exp(p[c] - max);
            sum += p[c];
        }

        for (var c = 0; c < p.Length; c++)
        {
            p[c] /= sum;
        }
    }
}
