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

    // The clause-instance indicator of the clause-flag candidate: a fixed weight index.
    private static readonly int ClauseFlagIndex = (int)(System.IO.Hashing.XxHash32.HashToUInt32("instance:clause"u8) & (InjectionFeatures.Dimensions - 1));

    /// <summary>Turns texts into samples (the expensive part: run once, train many times).</summary>
    /// <param name="examples">The examples.</param>
    /// <param name="candidate">The reading to evaluate (null: the shipped one).</param>
    /// <returns>One sample per example, in order.</returns>
    public static TrainingSample[] Featurize(IReadOnlyList<TrainingExample> examples, FeatureCandidate? candidate = null)
    {
        var rules = new PromptInjectionGuardrail { UseTrainedModel = false };
        var samples = new TrainingSample[examples.Count];
        var indices = new List<int>(4096);
        var values = new List<float>(4096);
        for (var i = 0; i < examples.Count; i++)
        {
            samples[i] = Featurize(rules, examples[i].Text, indices, values, candidate);
        }

        return samples;
    }

    /// <summary>Turns one text into its sample exactly as <see cref="PromptInjectionGuardrail"/> reads it.</summary>
    /// <param name="rules">The rule layer (a guardrail with <see cref="PromptInjectionGuardrail.UseTrainedModel"/> off).</param>
    /// <param name="text">The text.</param>
    /// <param name="indices">Scratch list.</param>
    /// <param name="values">Scratch list.</param>
    /// <param name="candidate">The reading to evaluate (null: the shipped one).</param>
    /// <returns>The sample.</returns>
    public static TrainingSample Featurize(PromptInjectionGuardrail rules, string text, List<int> indices, List<float> values, FeatureCandidate? candidate = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        candidate ??= FeatureCandidate.Shipped;
        var (ruleScore, families) = rules.Score(text);
        var (folded, spaced) = InjectionModel.Views(text);
        var extraTable = candidate.Extra is null ? null : ExtraConcepts.For(candidate.Extra);
        var documentTable = candidate.ExtraDocumentGroups is null ? extraTable : ExtraConcepts.For(candidate.ExtraDocumentGroups);
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

            if (candidate.Subwords)
            {
                SubwordFeatures.Extract(chunkSpaced, ref collector);
            }

            if (candidate.Concepts)
            {
                InjectionFeatures.ExtractConcepts(chunkSpaced, ref collector, fuzzy: !candidate.ConceptsExact, scale: (float)candidate.ConceptScale);
            }

            if (extraTable is not null)
            {
                if (candidate.ExtraChunk)
                {
                    ExtraConcepts.Extract(chunkSpaced, extraTable, ref collector);
                }

                if (candidate.ExtraDocument && chunkOutside is not null)
                {
                    // A long text's chunks also carry the whole text's extra concepts.
                    ExtraConcepts.Extract(spaced, documentTable!, ref collector, salt: 0x5bd1e995);
                }
            }

            return new FeatureVector([.. indices], [.. values]);
        }

        if (folded.Length <= InjectionModel.ChunkCharacters)
        {
            var whole = Vector(folded, spaced, null, (ruleScore, families));
            if (candidate.Clauses && InjectionClauses.FirstAndLast(folded) is { } clauses)
            {
                // The text's bag: the whole text, its first clause and its last clause (each clause is its own context).
                FeatureVector Clause((int Start, int Length) range)
                {
                    var clauseFolded = folded.Substring(range.Start, range.Length);
                    var clauseSpaced = InjectionNormalizer.Rejoin(InjectionNormalizer.SpacedFromFolded(clauseFolded));
                    var vector = Vector(clauseFolded, clauseSpaced, null, ruleScore == 0 ? (ruleScore, families) : rules.Score(clauseFolded));
                    return candidate.ClauseFlag ? new FeatureVector([.. vector.Indices, ClauseFlagIndex], [.. vector.Values, 1f]) : vector;
                }

                int Words((int Start, int Length) range) => InjectionNormalizer.SpacedFromFolded(folded.Substring(range.Start, range.Length)).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
                List<(int Start, int Length)> clauseRanges = candidate.AllClauses ? InjectionClauses.All(folded) : [clauses.First, clauses.Last];
                FeatureVector[] bag = [whole, .. clauseRanges.Where(r => Words(r) >= candidate.ClauseMinimumWords).Select(Clause)];
                if (bag.Length > 1)
                {
                    return new TrainingSample(bag, ruleScore, bag) { FirstIsWhole = true, TrainFirst = candidate.WholeToo, NegativeFirstOnly = candidate.BenignWhole, TrainOnlyFirst = candidate.ScoreOnly, LaterShift = candidate.ClauseShift };
                }
            }

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

        if (candidate.WideOnly && candidate.WideWindow > 0 && folded.Length > candidate.WideMinimum)
        {
            // A long text read in wide windows instead of chunks, each capped by its neighbours.
            var windows = WideWindows(ranges, candidate.WideWindow);
            var windowVectors = windows.Select(Span).ToArray();
            var windowContexts = windows.Count == 1 ? windowVectors : Enumerable.Range(0, windows.Count).Select(k => Span(InjectionModel.Context(windows, k))).ToArray();
            return new TrainingSample(windowVectors, ruleScore, windowContexts);
        }

        var chunks = ranges.Select(Span).ToArray();
        var contexts = Enumerable.Range(0, ranges.Count).Select(k => Span(InjectionModel.Context(ranges, k))).ToArray();
        if (candidate.WideWindow > 0 && folded.Length > candidate.WideMinimum)
        {
            // Wide windows: consecutive chunks merged up to WideWindow characters, each its own context.
            var wide = WideWindows(ranges, candidate.WideWindow).Select(Span).ToArray();
            chunks = [.. chunks, .. wide];
            contexts = [.. contexts, .. wide];
        }

        return new TrainingSample(chunks, ruleScore, contexts);
    }

    /// <summary>Merges consecutive chunks into windows of at most <paramref name="size"/> characters (a candidate reading).</summary>
    /// <param name="chunks">The chunks, in order.</param>
    /// <param name="size">The largest window.</param>
    /// <returns>The windows.</returns>
    public static List<(int Start, int Length)> WideWindows(List<(int Start, int Length)> chunks, int size)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var windows = new List<(int Start, int Length)>();
        var first = 0;
        while (first < chunks.Count)
        {
            var last = first;
            while (last + 1 < chunks.Count && chunks[last + 1].Start + chunks[last + 1].Length - chunks[first].Start <= size)
            {
                last++;
            }

            windows.Add((chunks[first].Start, chunks[last].Start + chunks[last].Length - chunks[first].Start));
            first = last + 1;
        }

        return windows;
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
                    foreach (var chunk in sample.NegativeFirstOnly || sample.TrainOnlyFirst ? sample.Chunks.AsSpan(0, 1) : sample.Chunks)
                    {
                        Step(chunk, 0f, weight);
                    }
                }
                else if (sample.Chunks.Length == 1 || sample.TrainOnlyFirst)
                {
                    Step(sample.Chunks[0], 1f, weight);
                }
                else if (epoch < WarmupEpochs)
                {
                    // Long attacks wait until the short ones have taught the model what an attack sentence looks like;
                    // training them whole would teach it that document content is evidence. A short text read as
                    // clauses as well (a candidate reading) trains whole meanwhile.
                    if (sample.FirstIsWhole || sample.TrainFirst)
                    {
                        Step(sample.Chunks[0], 1f, weight);
                    }

                    continue;
                }
                else
                {
                    if (sample.TrainFirst)
                    {
                        Step(sample.Chunks[0], 1f, weight);
                    }

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

                    if (!sample.TrainFirst || !ReferenceEquals(best, sample.Chunks[0]))
                    {
                        Step(best, 1f, weight);
                    }
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
