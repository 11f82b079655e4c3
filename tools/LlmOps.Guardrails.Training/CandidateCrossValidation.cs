using System.Globalization;
using System.Text;

namespace LlmOps.Guardrails.Training;

/// <summary>
/// The one-line-per-threshold comparison of a candidate reading (<see cref="FeatureCandidate"/>) against the shipped one:
/// out-of-fold rates on the public train splits (<see cref="CrossValidation.PublicFoldScores"/>) and, when computed,
/// leave-one-source-out rates on the author sets (<see cref="CrossValidation.OutOfSourceScores"/>), in the shape of the
/// candidate tables in <c>benchmarks/results/GuardrailsQuality.md</c>.
/// </summary>
internal static class CandidateCrossValidation
{
    /// <summary>The thresholds reported.</summary>
    public static readonly double[] Thresholds = [0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9];

    /// <summary>Writes the table.</summary>
    /// <param name="name">The candidate's name (first column).</param>
    /// <param name="examples">The corpus.</param>
    /// <param name="vectors">Its vectors (for the grammar scores).</param>
    /// <param name="publicScores">Out-of-fold scores of the public rows (NaN elsewhere).</param>
    /// <param name="authorScores">Out-of-source scores of the author rows (NaN elsewhere), or null when not computed.</param>
    /// <returns>Markdown.</returns>
    public static string Report(string name, IReadOnlyList<TrainingExample> examples, TrainingSample[] vectors, double[] publicScores, double[]? authorScores)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(publicScores);
        var text = new StringBuilder();
        text.Append("| Candidate (threshold) | deepset TPR / FPR | Gandalf | in-the-wild | jackhhao TPR / FPR | awesome FPR | public benign FPR |");
        text.AppendLine(authorScores is null ? "" : " author attack TPR | author obfuscated | author benign FPR | author hard FPR |");
        text.Append("|---|---|---|---|---|---|---|");
        text.AppendLine(authorScores is null ? "" : "---|---|---|---|");
        foreach (var t in Thresholds)
        {
            string Rate(double[] scores, Func<int, bool> filter)
            {
                int n = 0, hits = 0;
                for (var i = 0; i < examples.Count; i++)
                {
                    if (!double.IsNaN(scores[i]) && filter(i))
                    {
                        n++;
                        hits += CrossValidation.Detected(examples[i].Text, scores[i], vectors[i].RuleScore, t) ? 1 : 0;
                    }
                }

                return n == 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{hits}/{n} = {100.0 * hits / n:0.0}%");
            }

            string Public(string source, bool attack) => Rate(publicScores, i => examples[i].Source == source && examples[i].IsAttack == attack);
            text.Append(CultureInfo.InvariantCulture, $"| {name} ({t:0.00}) | {Public("public-deepset", true)} / {Public("public-deepset", false)} | {Public("public-lakera", true)} | {Public("public-in", true)} | ");
            text.Append(CultureInfo.InvariantCulture, $"{Public("public-jackhhao", true)} / {Public("public-jackhhao", false)} | {Public("public-awesome", false)} | {Rate(publicScores, i => TrainingCorpus.IsPublic(examples[i].Source) && !examples[i].IsAttack)} |");
            if (authorScores is not null)
            {
                string Author(string kind) => Rate(authorScores, i => !TrainingCorpus.IsPublic(examples[i].Source) && examples[i].Kind == kind);
                text.Append(CultureInfo.InvariantCulture, $" {Author("attack")} | {Author("obfuscated")} | {Author("benign")} | {Author("hard")} |");
            }

            text.AppendLine();
        }

        return text.ToString();
    }
}
