using System.Globalization;
using System.Text;

namespace LlmOps.Guardrails.Training;

/// <summary>
/// Chooses the second stage's uncertain band and head threshold by K-fold cross-validation within the training corpus
/// (author sets and the public sets' <c>train</c> splits; the <c>test</c> splits are never read). Every example gets an
/// out-of-fold fast score (the trained layer retrained without its fold, on the guardrail's scale) and, when it has an
/// embedding, an out-of-fold head score; a (band, threshold) pair is then evaluated on those scores exactly as the
/// guardrail decides: an injection when the fast score is at or above 0.5, or when it is in [band, 0.5) and the head
/// scores at or above the threshold. A row's fold is the hash of its case-folded, whitespace-collapsed text
/// (<see cref="CrossValidation.FoldOf"/>), so a text two files share is in one fold.
/// </summary>
internal static class SecondStageCrossValidation
{
    /// <summary>The number of folds.</summary>
    public const int Folds = 5;

    /// <summary>The bands tried (lowest fast score sent to the head, guardrail scale).</summary>
    public static readonly double[] Bands = [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45];

    /// <summary>The head thresholds tried.</summary>
    public static readonly double[] Thresholds = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99];

    /// <summary>Whether an example is one the head reads (every original text; not the synthetic long documents).</summary>
    /// <param name="example">The example.</param>
    /// <returns>Whether it is embedded.</returns>
    public static bool IsEmbedded(TrainingExample example) => !example.Kind.StartsWith("augmented", StringComparison.Ordinal);

    /// <summary>Out-of-fold fast scores on the guardrail's scale (0.5 is its boundary), with the grammar's short-text certainty.</summary>
    /// <param name="trainer">The fast model's trainer.</param>
    /// <param name="examples">The corpus.</param>
    /// <param name="samples">Its fast-model samples.</param>
    /// <param name="folds">Each example's fold.</param>
    /// <returns>One score per example.</returns>
    public static double[] FastScores(InjectionModelTrainer trainer, IReadOnlyList<TrainingExample> examples, TrainingSample[] samples, int[] folds)
    {
        var certainty = new LlmOps.Guardrails.Injection.PromptInjectionGuardrail().GrammarCertainty;
        var scores = new double[examples.Count];
        for (var k = 0; k < Folds; k++)
        {
            var model = trainer.Train(examples, samples, i => folds[i] != k, Defaults.Threshold);
            for (var i = 0; i < examples.Count; i++)
            {
                if (folds[i] == k)
                {
                    var score = samples[i].Score(model);
                    var rule = samples[i].RuleScore;
                    scores[i] = rule >= certainty && rule > score && LlmOps.Guardrails.Injection.PromptInjectionGuardrail.IsShortText(examples[i].Text) ? rule : score;
                }
            }
        }

        return scores;
    }

    /// <summary>Out-of-fold head probabilities (NaN for examples without an embedding).</summary>
    /// <param name="trainer">The head's trainer.</param>
    /// <param name="examples">The corpus.</param>
    /// <param name="vectors">The embeddings (null where the head does not read the example).</param>
    /// <param name="folds">Each example's fold.</param>
    /// <returns>One probability per example.</returns>
    public static double[] HeadScores(InjectionHeadTrainer trainer, IReadOnlyList<TrainingExample> examples, float[]?[] vectors, int[] folds)
    {
        var scores = Enumerable.Repeat(double.NaN, examples.Count).ToArray();
        for (var k = 0; k < Folds; k++)
        {
            var head = trainer.Train(examples, vectors, i => folds[i] != k, 0, 0.5);
            for (var i = 0; i < examples.Count; i++)
            {
                if (folds[i] == k && vectors[i] is { } vector)
                {
                    scores[i] = head.Score(vector);
                }
            }
        }

        return scores;
    }

    /// <summary>The rates of one (band, threshold) pair.</summary>
    /// <param name="examples">The corpus.</param>
    /// <param name="fast">Out-of-fold fast scores.</param>
    /// <param name="head">Out-of-fold head scores.</param>
    /// <param name="band">The band's low end (above 0.5: no second stage).</param>
    /// <param name="threshold">The head threshold.</param>
    /// <returns>The rates.</returns>
    public static Rates Evaluate(IReadOnlyList<TrainingExample> examples, double[] fast, double[] head, double band, double threshold)
    {
        var counts = new Dictionary<string, (int Hits, int N)>(StringComparer.Ordinal);
        var routed = 0;
        var embedded = 0;
        for (var i = 0; i < examples.Count; i++)
        {
            var e = examples[i];
            if (!IsEmbedded(e))
            {
                continue;
            }

            embedded++;
            var inBand = fast[i] >= band && fast[i] < 0.5 && !double.IsNaN(head[i]);
            routed += inBand ? 1 : 0;
            var detected = fast[i] >= 0.5 || (inBand && head[i] >= threshold);
            var group = TrainingCorpus.IsPublic(e.Source) ? $"{e.Source} {(e.IsAttack ? "attack" : "benign")}" : $"author {e.Kind}";
            foreach (var key in new[] { group, TrainingCorpus.IsPublic(e.Source) && !e.IsAttack ? "public benign" : "" })
            {
                if (key.Length > 0)
                {
                    var (hits, n) = counts.GetValueOrDefault(key);
                    counts[key] = (hits + (detected ? 1 : 0), n + 1);
                }
            }
        }

        return new Rates(band, threshold, counts, (double)routed / embedded);
    }

    /// <summary>
    /// Picks the pair with the best mean TPR over the four public attack files whose out-of-fold false-positive rates
    /// stay within the constraints: pooled public benign at most 1%, deepset and jackhhao benign at most 2% each,
    /// awesome-chatgpt-prompts at most 5%, author-set benign at most 1% and author hard negatives at most 5%. Ties go to the
    /// higher band (fewer texts embedded).
    /// </summary>
    /// <param name="grid">The evaluated pairs.</param>
    /// <returns>The chosen pair.</returns>
    public static Rates Choose(IEnumerable<Rates> grid)
        => grid.Where(r => r.Feasible).OrderByDescending(r => Math.Round(r.MeanPublicTpr, 6)).ThenByDescending(r => r.Band).ThenBy(r => r.Threshold).First();

    /// <summary>Writes the grid as Markdown (fast alone first, then every pair, the chosen one marked).</summary>
    /// <param name="fastOnly">The fast model alone.</param>
    /// <param name="grid">The pairs.</param>
    /// <param name="chosen">The chosen pair.</param>
    /// <param name="all">Whether to list infeasible pairs as well.</param>
    /// <returns>Markdown.</returns>
    public static string Report(Rates fastOnly, IReadOnlyList<Rates> grid, Rates chosen, bool all)
    {
        var text = new StringBuilder();
        text.AppendLine("| Band | Head threshold | Routed | deepset TPR | Gandalf TPR | in-the-wild TPR | jackhhao TPR | public benign FPR | deepset FPR | jackhhao FPR | awesome FPR | author attack TPR | author obfuscated TPR | author benign FPR | author hard FPR | feasible |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in grid.Prepend(fastOnly))
        {
            if (!all && !ReferenceEquals(r, fastOnly) && !r.Feasible)
            {
                continue;
            }

            var mark = ReferenceEquals(r, chosen) ? " **chosen**" : "";
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {(r.Band > 0.5 ? "fast only" : r.Band.ToString("0.###", CultureInfo.InvariantCulture))} | {(r.Band > 0.5 ? "-" : r.Threshold.ToString("0.00", CultureInfo.InvariantCulture))} | {r.Routed * 100:0.0}% | {r.Cell("public-deepset attack")} | {r.Cell("public-lakera attack")} | {r.Cell("public-in attack")} | {r.Cell("public-jackhhao attack")} | {r.Cell("public benign")} | {r.Cell("public-deepset benign")} | {r.Cell("public-jackhhao benign")} | {r.Cell("public-awesome benign")} | {r.Cell("author attack")} | {r.Cell("author obfuscated")} | {r.Cell("author benign")} | {r.Cell("author hard")} | {(r.Feasible ? "yes" : "no")}{mark} |"));
        }

        return text.ToString();
    }

    /// <summary>The out-of-fold rates of one (band, threshold) pair.</summary>
    /// <param name="Band">The band's low end.</param>
    /// <param name="Threshold">The head threshold.</param>
    /// <param name="Counts">Hits and rows per group.</param>
    /// <param name="Routed">The share of the corpus's original texts sent to the head.</param>
    internal sealed record Rates(double Band, double Threshold, IReadOnlyDictionary<string, (int Hits, int N)> Counts, double Routed)
    {
        /// <summary>Gets a group's rate (NaN when it has no rows).</summary>
        /// <param name="group">The group.</param>
        /// <returns>The rate.</returns>
        public double Rate(string group) => Counts.TryGetValue(group, out var c) && c.N > 0 ? (double)c.Hits / c.N : double.NaN;

        /// <summary>Gets the mean TPR over the four public attack files.</summary>
        public double MeanPublicTpr => (Rate("public-deepset attack") + Rate("public-lakera attack") + Rate("public-in attack") + Rate("public-jackhhao attack")) / 4;

        /// <summary>Gets a value indicating whether the false-positive constraints hold.</summary>
        public bool Feasible => Rate("public benign") <= 0.01 && Rate("public-deepset benign") <= 0.02 && Rate("public-jackhhao benign") <= 0.02
            && Rate("public-awesome benign") <= 0.05 && Rate("author benign") <= 0.01 && Rate("author hard") <= 0.05;

        /// <summary>Formats a group's rate.</summary>
        /// <param name="group">The group.</param>
        /// <returns>"hits/n rate".</returns>
        public string Cell(string group)
            => Counts.TryGetValue(group, out var c) ? string.Create(CultureInfo.InvariantCulture, $"{c.Hits}/{c.N} {100.0 * c.Hits / c.N:0.0}%") : "-";
    }
}
