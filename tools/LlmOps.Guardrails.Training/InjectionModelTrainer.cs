using LlmOps.Guardrails.Injection;

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

    /// <summary>Gets or sets the weight of a public set's example (human-written; see <see cref="PublicInjectionData"/>) relative to an author set's.</summary>
    public float PublicWeight { get; set; } = 3f;

    /// <summary>Gets the extra weight of each source's examples (multiplies the others; a source not listed weighs 1).</summary>
    public Dictionary<string, float> SourceWeights { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets the shuffle seed.</summary>
    public int Seed { get; set; } = 20261129;

    /// <summary>Gets or sets the number of first epochs that skip long attacks, before their most suspicious chunk stands for them.</summary>
    public int WarmupEpochs { get; set; } = 2;

    /// <summary>Turns texts into samples (the expensive part: run once, train many times).</summary>
    /// <param name="examples">The examples.</param>
    /// <returns>One sample per example, in order.</returns>
    public static TrainingSample[] Featurize(IReadOnlyList<TrainingExample> examples)
    {
        var rules = new PromptInjectionGuardrail { UseTrainedModel = false };
        var samples = new TrainingSample[examples.Count];
        var indices = new List<int>(4096);
        var values = new List<float>(4096);
        for (var i = 0; i < examples.Count; i++)
        {
            samples[i] = Featurize(rules, examples[i].Text, indices, values);
        }

        return samples;
    }

    /// <summary>Turns one text into its sample exactly as <see cref="PromptInjectionGuardrail"/> reads it.</summary>
    /// <param name="rules">The rule layer (a guardrail with <see cref="PromptInjectionGuardrail.UseTrainedModel"/> off).</param>
    /// <param name="text">The text.</param>
    /// <param name="indices">Scratch list.</param>
    /// <param name="values">Scratch list.</param>
    /// <returns>The sample.</returns>
    public static TrainingSample Featurize(PromptInjectionGuardrail rules, string text, List<int> indices, List<float> values)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var (ruleScore, families) = rules.Score(text);
        var (folded, spaced) = InjectionModel.Views(text);
        FeatureVector Vector(string chunkFolded, string chunkSpaced, string? chunkOutside, (double Score, IReadOnlyList<string> Families) evidence)
        {
            indices.Clear();
            values.Clear();
            var collector = new Collector(indices, values);
            if (chunkOutside is null)
            {
                InjectionModel.Extract(chunkFolded, chunkSpaced, evidence.Score, evidence.Families, ref collector);
            }
            else
            {
                InjectionFeatures.Extract(chunkFolded, chunkSpaced, chunkOutside, evidence.Score, evidence.Families, ref collector);
            }

            return new FeatureVector([.. indices], [.. values]);
        }

        if (folded.Length <= InjectionModel.ChunkCharacters)
        {
            var whole = Vector(folded, spaced, null, (ruleScore, families));
            return new TrainingSample([whole], ruleScore, [whole]);
        }

        // As PromptInjectionGuardrail.ModelScore reads a long text: chunks and their contexts, sliced by a ChunkReader,
        // each with the grammar's evidence for it.
        var reader = new InjectionModel.ChunkReader(folded);
        FeatureVector Span((int Start, int Length) range)
        {
            var views = reader.Views(range);
            return Vector(views.Folded.ToString(), views.Spaced.ToString(), views.Outside.ToString(), ruleScore == 0 ? (ruleScore, families) : rules.Score(views.Folded.ToString()));
        }

        var ranges = reader.Chunks;
        if (ranges.Count == 0)
        {
            var empty = Vector(folded, spaced, null, (ruleScore, families));
            return new TrainingSample([empty], ruleScore, [empty]);
        }

        var chunks = ranges.Select(Span).ToArray();
        var contexts = Enumerable.Range(0, ranges.Count).Select(k => Span(InjectionModel.Context(ranges, k))).ToArray();
        return new TrainingSample(chunks, ruleScore, contexts);
    }

    /// <summary>Fits a model.</summary>
    /// <param name="examples">The examples (labels and kinds).</param>
    /// <param name="samples">Their samples, from <see cref="Featurize(IReadOnlyList{TrainingExample})"/>.</param>
    /// <param name="include">Which examples to train on (null: all).</param>
    /// <param name="threshold">The operating point: the probability that becomes the model's 0.5.</param>
    /// <returns>The model.</returns>
    /// <remarks>
    /// Multiple-instance learning: every chunk of a benign text is a negative; an attack is a positive bag, represented
    /// after <see cref="WarmupEpochs"/> by its chunk with the highest current score (the carrier text of an indirect
    /// injection is not evidence of an attack, and is never trained as one).
    /// </remarks>
    public InjectionModel Train(IReadOnlyList<TrainingExample> examples, TrainingSample[] samples, Func<int, bool>? include = null, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(samples);
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
                var sample = samples[i];
                var example = examples[i];
                var weight = example.Kind switch { "benign" or "augmented-benign" => BenignWeight, "hard" => HardWeight, _ => 1f }
                    * (TrainingCorpus.IsPublic(example.Source) ? PublicWeight : 1f)
                    * SourceWeights.GetValueOrDefault(example.Source, 1f);
                if (!example.IsAttack)
                {
                    foreach (var chunk in sample.Chunks)
                    {
                        Step(chunk, 0f, weight);
                    }
                }
                else if (sample.Chunks.Length == 1)
                {
                    Step(sample.Chunks[0], 1f, weight);
                }
                else if (epoch < WarmupEpochs)
                {
                    // Long attacks wait until the short ones have taught the model what an attack sentence looks like;
                    // training them whole would teach it that document content is evidence.
                    continue;
                }
                else
                {
                    var best = sample.Chunks[0];
                    var bestLogit = double.NegativeInfinity;
                    foreach (var chunk in sample.Chunks)
                    {
                        var logit = chunk.Logit(weights, bias);
                        if (logit > bestLogit)
                        {
                            (best, bestLogit) = (chunk, logit);
                        }
                    }

                    Step(best, 1f, weight);
                }
            }
        }

        // Shift the intercept so that the chosen operating point scores exactly 0.5.
        var shift = (float)Math.Log(threshold / (1 - threshold));
        return new InjectionModel(weights, bias - shift);

        void Step(FeatureVector vector, float y, float weight)
        {
            var p = 1 / (1 + MathF.Exp(-(float)vector.Logit(weights, bias)));
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

    private readonly struct Collector(List<int> indices, List<float> values) : InjectionFeatures.IVisitor
    {
        public void Visit(int index, float value)
        {
            indices.Add(index);
            values.Add(value);
        }
    }
}
