using System.Globalization;
using System.Text;

namespace LlmOps.Guardrails.Training;

/// <summary>
/// Leave-one-source-out cross-validation: for each source (one author's set, or the generated set), train on all the
/// others and score it. This estimates how the model does on text written by someone it never saw, which is what the
/// issue's held-out gates ask about.
/// </summary>
internal static class CrossValidation
{
    private static readonly double GrammarCertainty = new LlmOps.Guardrails.Injection.PromptInjectionGuardrail().GrammarCertainty;

    /// <summary>The shipped decision: the model at its operating point, or, for a short text, the grammar when it is certain.</summary>
    /// <param name="text">The text.</param>
    /// <param name="modelScore">The model's probability.</param>
    /// <param name="ruleScore">The grammar's score.</param>
    /// <param name="threshold">The model's operating point.</param>
    /// <returns>Whether the text is an injection.</returns>
    public static bool Detected(string text, double modelScore, double ruleScore, double threshold)
        => modelScore >= threshold || (ruleScore >= GrammarCertainty && LlmOps.Guardrails.Injection.PromptInjectionGuardrail.IsShortText(text));

    /// <summary>Scores every example by a model that did not see its source.</summary>
    /// <param name="trainer">The trainer.</param>
    /// <param name="examples">The corpus.</param>
    /// <param name="vectors">Its vectors.</param>
    /// <returns>Out-of-source probabilities, one per example (NaN for the public sets' examples, which are never left out).</returns>
    public static double[] OutOfSourceScores(InjectionModelTrainer trainer, IReadOnlyList<TrainingExample> examples, TrainingSample[] vectors)
    {
        var scores = Enumerable.Repeat(double.NaN, examples.Count).ToArray();

        // The public sets are always trained on (their own folds are PublicFolds); each author's set is left out in turn.
        foreach (var source in examples.Select(e => e.Source).Where(s => !TrainingCorpus.IsPublic(s)).Distinct(StringComparer.Ordinal))
        {
            var model = trainer.Train(examples, vectors, i => examples[i].Source != source);
            for (var i = 0; i < examples.Count; i++)
            {
                if (examples[i].Source == source)
                {
                    scores[i] = vectors[i].Score(model);
                }
            }
        }

        return scores;
    }

    /// <summary>
    /// K-fold cross-validation within the public sets' <c>train</c> splits: every public row is scored by a model trained
    /// on the author sets and the public rows of the other folds. A row's fold is the hash of its case-folded,
    /// whitespace-collapsed text, so a text that two files share (jackhhao's attacks are in-the-wild's) is in one fold.
    /// Author-set examples are always trained on and get no score (NaN).
    /// </summary>
    /// <param name="trainer">The trainer.</param>
    /// <param name="examples">The corpus (<see cref="TrainingCorpus.LoadShipped"/>).</param>
    /// <param name="vectors">Its vectors.</param>
    /// <param name="folds">The number of folds.</param>
    /// <returns>Out-of-fold probabilities, one per example (NaN for author-set examples).</returns>
    /// <param name="grouped">Whether deepset's attacks are grouped by their injected clause (<see cref="GroupedFolds"/>).</param>
    public static double[] PublicFoldScores(InjectionModelTrainer trainer, IReadOnlyList<TrainingExample> examples, TrainingSample[] vectors, int folds, bool grouped = false)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(vectors);
        var fold = grouped ? GroupedFolds(examples, folds) : examples.Select(e => TrainingCorpus.IsPublic(e.Source) ? FoldOf(e.Text, folds) : -1).ToArray();
        var scores = Enumerable.Repeat(double.NaN, examples.Count).ToArray();
        for (var k = 0; k < folds; k++)
        {
            var model = trainer.Train(examples, vectors, i => fold[i] != k);
            for (var i = 0; i < examples.Count; i++)
            {
                if (fold[i] == k)
                {
                    scores[i] = vectors[i].Score(model);
                }
            }
        }

        return scores;
    }

    /// <summary>
    /// Public folds in which deepset's attacks that share an injected clause sit in one fold. deepset builds many attacks
    /// by appending one injection to several of its own benign questions, so with folds by text the same clause is trained
    /// on in one fold and scored in another, and the out-of-fold rate measures memory more than generalisation. Here two
    /// deepset attacks are joined (union-find) when they share a word 4-gram (case-folded) that no benign deepset row
    /// holds; a group's fold is that of its smallest member's text. Every other row keeps its fold by text.
    /// </summary>
    /// <param name="examples">The corpus.</param>
    /// <param name="folds">The number of folds.</param>
    /// <returns>Each example's fold (-1 for the author sets).</returns>
    public static int[] GroupedFolds(IReadOnlyList<TrainingExample> examples, int folds)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var fold = examples.Select(e => TrainingCorpus.IsPublic(e.Source) ? FoldOf(e.Text, folds) : -1).ToArray();
        static IEnumerable<string> Shingles(string text)
        {
            var words = text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i + 4 <= words.Length; i++)
            {
                yield return string.Join(' ', words, i, 4);
            }
        }

        var deepset = Enumerable.Range(0, examples.Count).Where(i => examples[i].Source == "public-deepset").ToList();
        var benign = deepset.Where(i => !examples[i].IsAttack).SelectMany(i => Shingles(examples[i].Text)).ToHashSet(StringComparer.Ordinal);
        var parent = examples.Select((_, i) => i).ToArray();
        int Find(int i) => parent[i] == i ? i : parent[i] = Find(parent[i]);
        var owner = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var i in deepset.Where(i => examples[i].IsAttack))
        {
            foreach (var shingle in Shingles(examples[i].Text).Where(s => !benign.Contains(s)))
            {
                if (owner.TryGetValue(shingle, out var j))
                {
                    parent[Find(i)] = Find(j);
                }
                else
                {
                    owner[shingle] = i;
                }
            }
        }

        foreach (var group in deepset.Where(i => examples[i].IsAttack).GroupBy(Find))
        {
            var key = group.Select(i => examples[i].Text).Order(StringComparer.Ordinal).First();
            foreach (var i in group)
            {
                fold[i] = FoldOf(key, folds);
            }
        }

        return fold;
    }

    /// <summary>The fold of a text (see <see cref="PublicFoldScores"/>).</summary>
    /// <param name="text">The text.</param>
    /// <param name="folds">The number of folds.</param>
    /// <returns>The fold.</returns>
    public static int FoldOf(string text, int folds)
    {
        var key = string.Join(' ', text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return (int)(System.IO.Hashing.XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(key)) % (uint)folds);
    }

    /// <summary>Writes the public sets' out-of-fold rates per file and threshold.</summary>
    /// <param name="examples">The corpus.</param>
    /// <param name="vectors">Its vectors (for the rule scores).</param>
    /// <param name="scores">Out-of-fold scores (<see cref="PublicFoldScores"/>).</param>
    /// <returns>Markdown.</returns>
    public static string PublicReport(IReadOnlyList<TrainingExample> examples, TrainingSample[] vectors, double[] scores)
    {
        var text = new StringBuilder();
        var sources = examples.Select(e => e.Source).Where(TrainingCorpus.IsPublic).Distinct(StringComparer.Ordinal).ToList();
        text.AppendLine("| Threshold | " + string.Join(" | ", sources.Select(s => s + " TPR | " + s + " FPR")) + " | pooled TPR | pooled FPR |");
        text.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|---|", sources.Count + 1)));
        foreach (var t in new[] { 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 })
        {
            var cells = new List<string>();
            foreach (var source in sources.Append("(pooled)"))
            {
                foreach (var attack in new[] { true, false })
                {
                    var items = Enumerable.Range(0, examples.Count)
                        .Where(i => !double.IsNaN(scores[i]) && examples[i].IsAttack == attack && (source == "(pooled)" || examples[i].Source == source)).ToList();
                    var hits = items.Count(i => Detected(examples[i].Text, scores[i], vectors[i].RuleScore, t));
                    cells.Add(items.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{hits}/{items.Count} {100.0 * hits / items.Count:0.0}%"));
                }
            }

            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {t:0.00} | {string.Join(" | ", cells)} |"));
        }

        return text.ToString();
    }

    /// <summary>Writes the rates per threshold and per source.</summary>
    /// <param name="examples">The corpus.</param>
    /// <param name="vectors">Its vectors (for the rule scores).</param>
    /// <param name="scores">Out-of-source scores.</param>
    /// <param name="chosen">The operating point to detail per source.</param>
    /// <returns>Markdown.</returns>
    public static string Report(IReadOnlyList<TrainingExample> examples, TrainingSample[] vectors, double[] scores, double chosen)
    {
        var text = new StringBuilder();
        text.AppendLine("| Threshold | Combination | Attack TPR | Obfuscated TPR | Benign FPR | Hard-negative FPR |");
        text.AppendLine("|---|---|---|---|---|---|");
        text.AppendLine(Row(examples, i => vectors[i].RuleScore >= 0.5, "-", "rules alone"));
        text.AppendLine(Row(examples, i => vectors[i].RuleScore >= 0.85, "-", "rules >= 0.85 alone"));
        text.AppendLine(Row(examples, i => vectors[i].RuleScore >= 0.95, "-", "rules >= 0.95 alone"));
        text.AppendLine(Row(examples, i => vectors[i].RuleScore >= 0.99, "-", "rules >= 0.99 alone"));
        foreach (var t in new[] { 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95 })
        {
            text.AppendLine(Row(examples, i => scores[i] >= t, t.ToString("0.00", CultureInfo.InvariantCulture), "model"));
            text.AppendLine(Row(examples, i => scores[i] >= t || vectors[i].RuleScore >= 0.5, t.ToString("0.00", CultureInfo.InvariantCulture), "max(model, rules)"));
            text.AppendLine(Row(examples, i => scores[i] >= t || vectors[i].RuleScore >= 0.95, t.ToString("0.00", CultureInfo.InvariantCulture), "model or grammar >= 0.95"));
            text.AppendLine(Row(examples, i => Detected(examples[i].Text, scores[i], vectors[i].RuleScore, t), t.ToString("0.00", CultureInfo.InvariantCulture), "shipped: model or (grammar >= 0.95, <= 12 words)"));
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Per held-out source, the shipped decision (model at {chosen:0.00}, or grammar >= {GrammarCertainty:0.00} on a text of at most 12 words):");
        text.AppendLine();
        text.AppendLine("| Source | Attack TPR | Obfuscated TPR | Benign FPR | Hard-negative FPR |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var source in examples.Select(e => e.Source).Where(s => !TrainingCorpus.IsPublic(s)).Distinct(StringComparer.Ordinal))
        {
            text.AppendLine($"| {source} | {Rates(examples, i => Detected(examples[i].Text, scores[i], vectors[i].RuleScore, chosen), i => examples[i].Source == source)}");
        }

        return text.ToString();
    }

    private static string Row(IReadOnlyList<TrainingExample> examples, Func<int, bool> detected, string threshold, string combination)
        => $"| {threshold} | {combination} | {Rates(examples, detected, null)}";

    private static string Rates(IReadOnlyList<TrainingExample> examples, Func<int, bool> detected, Func<int, bool>? filter)
    {
        string Rate(string kind)
        {
            int n = 0, hit = 0;
            for (var i = 0; i < examples.Count; i++)
            {
                if (examples[i].Kind == kind && !TrainingCorpus.IsPublic(examples[i].Source) && (filter?.Invoke(i) ?? true))
                {
                    n++;
                    hit += detected(i) ? 1 : 0;
                }
            }

            return n == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{hit}/{n} {100.0 * hit / n:0.0}%");
        }

        return $"{Rate("attack")} | {Rate("obfuscated")} | {Rate("benign")} | {Rate("hard")} |";
    }
}
