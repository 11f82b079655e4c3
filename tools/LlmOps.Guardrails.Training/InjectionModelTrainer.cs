using LlmOps.Guardrails.Scanners;

namespace LlmOps.Guardrails.Training;

/// <summary>
/// Trains <see cref="InjectionModel"/>: L2-regularised logistic regression fitted by AdaGrad over the hashed features
/// of <see cref="InjectionFeatures"/>. Deterministic: the example order comes from a seeded shuffle and the arithmetic is
/// single-threaded, so the same corpus gives the same weights.
/// </summary>
internal sealed class InjectionModelTrainer
{
    /// <summary>Gets or sets the number of passes over the corpus.</summary>
    public int Epochs { get; set; } = 12;

    /// <summary>Gets or sets the AdaGrad learning rate.</summary>
    public float LearningRate { get; set; } = 0.2f;

    /// <summary>Gets or sets the L2 penalty per update.</summary>
    public float L2 { get; set; } = 1e-5f;

    /// <summary>Gets or sets the weight of a benign example relative to an attack (precision matters more).</summary>
    public float BenignWeight { get; set; } = 2f;

    /// <summary>Gets or sets the weight of a hard negative relative to an attack.</summary>
    public float HardWeight { get; set; } = 2f;

    /// <summary>Gets or sets the shuffle seed.</summary>
    public int Seed { get; set; } = 20261129;

    /// <summary>Turns texts into feature vectors (the expensive part: run once, train many times).</summary>
    /// <param name="examples">The examples.</param>
    /// <returns>One vector per example, in order.</returns>
    public static FeatureVector[] Featurize(IReadOnlyList<TrainingExample> examples)
    {
        var rules = new PromptInjectionGuardrail { UseTrainedModel = false };
        var vectors = new FeatureVector[examples.Count];
        var indices = new List<int>(4096);
        var values = new List<float>(4096);
        for (var i = 0; i < examples.Count; i++)
        {
            vectors[i] = Featurize(rules, examples[i].Text, indices, values);
        }

        return vectors;
    }

    /// <summary>Turns one text into its feature vector exactly as <see cref="PromptInjectionGuardrail"/> scores it.</summary>
    /// <param name="rules">The rule layer (a guardrail with <see cref="PromptInjectionGuardrail.UseTrainedModel"/> off).</param>
    /// <param name="text">The text.</param>
    /// <param name="indices">Scratch list.</param>
    /// <param name="values">Scratch list.</param>
    /// <returns>The vector.</returns>
    public static FeatureVector Featurize(PromptInjectionGuardrail rules, string text, List<int> indices, List<float> values)
    {
        ArgumentNullException.ThrowIfNull(rules);
        indices.Clear();
        values.Clear();
        var (ruleScore, families) = rules.Score(text);
        var (folded, spaced) = InjectionModel.Views(text);
        var collector = new Collector(indices, values);
        InjectionModel.Extract(folded, spaced, ruleScore, families, ref collector);
        return new FeatureVector([.. indices], [.. values], ruleScore);
    }

    /// <summary>Fits a model.</summary>
    /// <param name="examples">The examples (labels and kinds).</param>
    /// <param name="vectors">Their vectors, from <see cref="Featurize(IReadOnlyList{TrainingExample})"/>.</param>
    /// <param name="include">Which examples to train on (null: all).</param>
    /// <param name="threshold">The operating point: the probability that becomes the model's 0.5.</param>
    /// <returns>The model.</returns>
    public InjectionModel Train(IReadOnlyList<TrainingExample> examples, FeatureVector[] vectors, Func<int, bool>? include = null, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(vectors);
        var order = Enumerable.Range(0, examples.Count).Where(i => include?.Invoke(i) ?? true).ToArray();
        var weights = new float[InjectionFeatures.Dimensions];
        var squares = new float[InjectionFeatures.Dimensions];
        float bias = 0, biasSquare = 0;
        var random = new Random(Seed);
        for (var epoch = 0; epoch < Epochs; epoch++)
        {
            random.Shuffle(order);
            foreach (var i in order)
            {
                var vector = vectors[i];
                var example = examples[i];
                var z = bias;
                for (var k = 0; k < vector.Indices.Length; k++)
                {
                    z += weights[vector.Indices[k]] * vector.Values[k];
                }

                var p = 1 / (1 + MathF.Exp(-z));
                var y = example.IsAttack ? 1f : 0f;
                var weight = example.Kind switch { "benign" or "augmented-benign" => BenignWeight, "hard" => HardWeight, _ => 1f };
                var g = (p - y) * weight;
                for (var k = 0; k < vector.Indices.Length; k++)
                {
                    var j = vector.Indices[k];
                    var grad = (g * vector.Values[k]) + (L2 * weights[j]);
                    squares[j] += grad * grad;
                    weights[j] -= LearningRate * grad / (MathF.Sqrt(squares[j]) + 1e-6f);
                }

                biasSquare += g * g;
                bias -= LearningRate * g / (MathF.Sqrt(biasSquare) + 1e-6f);
            }
        }

        // Shift the intercept so that the chosen operating point scores exactly 0.5.
        var shift = (float)Math.Log(threshold / (1 - threshold));
        return new InjectionModel(weights, bias - shift);
    }

    private readonly struct Collector(List<int> indices, List<float> values) : InjectionFeatures.IVisitor
    {
        public void Visit(int index, float value)
        {
            indices.Add(index);
            values.Add(value);
        }
    }
}
