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
    /// <returns>Out-of-source probabilities, one per example.</returns>
    public static double[] OutOfSourceScores(InjectionModelTrainer trainer, IReadOnlyList<TrainingExample> examples, TrainingSample[] vectors)
    {
        var scores = new double[examples.Count];
        foreach (var source in examples.Select(e => e.Source).Distinct(StringComparer.Ordinal))
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
        foreach (var source in examples.Select(e => e.Source).Distinct(StringComparer.Ordinal))
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
                if (examples[i].Kind == kind && (filter?.Invoke(i) ?? true))
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
