using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LlmOps.Guardrails.Injection;

namespace LlmOps.Guardrails.Training;

/// <summary>
/// Pins (as round-trip doubles) the fast detector's output on a fixed, large text set (the training corpus: every committed set with its
/// synthetic long texts and the public sets' train splits), so that a change meant to make the detector faster can be
/// shown not to change what it says. One line per text: its index, the first 8 hex digits of the SHA-256 of its UTF-8
/// (so a changed corpus is told apart from a changed detector; no text is written), the grammar's score and families,
/// and the default scanner's score and families.
/// </summary>
internal static class ScorePins
{
    /// <summary>The pins file, relative to the repository root.</summary>
    public static readonly string RelativePath = Path.Combine("tests", "LlmOps.Quality", "Guardrails", "InjectionScorePins.tsv");

    /// <summary>Computes the pin lines of a corpus.</summary>
    /// <param name="examples">The texts.</param>
    /// <returns>One line per text, in order.</returns>
    public static string[] Compute(IReadOnlyList<TrainingExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var grammar = new PromptInjectionGuardrail { UseTrainedModel = false };
        var detector = new PromptInjectionGuardrail();
        var lines = new string[examples.Count];
        for (var i = 0; i < examples.Count; i++)
        {
            var text = examples[i].Text;
            var rules = grammar.Score(text);
            var model = detector.Score(text);
            lines[i] = string.Create(
                CultureInfo.InvariantCulture,
                $"{i}\t{Hash(text)}\t{rules.Score:R}\t{string.Join(',', rules.Families)}\t{model.Score:R}\t{string.Join(',', model.Families)}");
        }

        return lines;
    }

    /// <summary>The short hash that identifies a text in the pins.</summary>
    /// <param name="text">The text.</param>
    /// <returns>8 hex digits.</returns>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8];
}
