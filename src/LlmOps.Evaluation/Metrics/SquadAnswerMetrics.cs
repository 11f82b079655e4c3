using System.Text;

namespace LlmOps.Evaluation.Metrics;

/// <summary>
/// Exact match and token F1 of the official SQuAD v1.1 evaluation script (<c>evaluate-v1.1.py</c>, also SQuAD v2.0's
/// <c>evaluate-v2.0.py</c> for answerable questions): answers are normalised by lower-casing, removing ASCII punctuation,
/// removing the articles <c>a</c>, <c>an</c>, <c>the</c> and collapsing whitespace; with several references the best
/// score counts. Scores are 0–1. Thread-safe.
/// </summary>
public static class SquadAnswerMetrics
{
    /// <summary>Normalises an answer as SQuAD's <c>normalize_answer</c> does.</summary>
    /// <param name="text">The answer text.</param>
    /// <returns>The normalised text: tokens separated by single spaces.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Join(' ', NormalizedTokens(text));
    }

    /// <summary>Returns 1 when the normalised prediction equals a normalised reference, otherwise 0.</summary>
    /// <param name="prediction">The predicted answer.</param>
    /// <param name="references">The accepted answers (one or more).</param>
    /// <returns>1 or 0.</returns>
    /// <exception cref="ArgumentNullException">An argument or a reference is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="references"/> is empty.</exception>
    public static double ExactMatch(string prediction, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        Validate(references);
        string normalized = Normalize(prediction);
        foreach (string reference in references)
        {
            if (string.Equals(normalized, Normalize(reference), StringComparison.Ordinal))
            {
                return 1.0;
            }
        }

        return 0.0;
    }

    /// <summary>Returns the best token F1 of the prediction against the references (SQuAD's <c>f1_score</c>, max over references).</summary>
    /// <param name="prediction">The predicted answer.</param>
    /// <param name="references">The accepted answers (one or more).</param>
    /// <returns>The F1, 0–1.</returns>
    /// <exception cref="ArgumentNullException">An argument or a reference is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="references"/> is empty.</exception>
    public static double TokenF1(string prediction, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        Validate(references);
        List<string> predicted = NormalizedTokens(prediction);
        double best = 0;
        foreach (string reference in references)
        {
            best = Math.Max(best, F1(predicted, NormalizedTokens(reference)));
        }

        return best;
    }

    private static void Validate(IReadOnlyList<string>? references)
    {
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0)
        {
            throw new ArgumentException("At least one reference answer is needed; the list is empty. Pass the accepted answer(s).", nameof(references));
        }

        for (int i = 0; i < references.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(references[i], $"{nameof(references)}[{i}]");
        }
    }

    private static double F1(List<string> prediction, List<string> reference)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string t in reference)
        {
            counts[t] = counts.GetValueOrDefault(t) + 1;
        }

        int same = 0;
        foreach (string t in prediction)
        {
            if (counts.TryGetValue(t, out int c) && c > 0)
            {
                counts[t] = c - 1;
                same++;
            }
        }

        if (same == 0)
        {
            return 0.0;
        }

        double precision = (double)same / prediction.Count;
        double recall = (double)same / reference.Count;
        return 2 * precision * recall / (precision + recall);
    }

    // lower -> remove string.punctuation -> replace \b(a|an|the)\b with a space -> ' '.join(text.split()).
    private static List<string> NormalizedTokens(string text)
    {
        string lower = text.ToLowerInvariant();
        var sb = new StringBuilder(lower.Length);
        foreach (char c in lower)
        {
            if (!IsAsciiPunctuation(c))
            {
                sb.Append(c);
            }
        }

        string s = sb.ToString();
        sb.Clear();
        int i = 0;
        while (i < s.Length)
        {
            int articleLength = ArticleAt(s, i);
            if (articleLength > 0)
            {
                sb.Append(' ');
                i += articleLength;
            }
            else
            {
                sb.Append(s[i]);
                i++;
            }
        }

        var tokens = new List<string>();
        string removed = sb.ToString();
        int start = -1;
        for (int k = 0; k <= removed.Length; k++)
        {
            bool space = k == removed.Length || PythonText.IsWhiteSpace(removed[k]);
            if (space)
            {
                if (start >= 0)
                {
                    tokens.Add(removed[start..k]);
                    start = -1;
                }
            }
            else if (start < 0)
            {
                start = k;
            }
        }

        return tokens;
    }

    // Length of "a", "an" or "the" at i when it stands between word boundaries (Python's Unicode \b), else 0.
    private static int ArticleAt(string s, int i)
    {
        if (i > 0 && IsWordChar(s[i - 1]))
        {
            return 0;
        }

        foreach (string article in (ReadOnlySpan<string>)["the", "an", "a"])
        {
            if (string.CompareOrdinal(s, i, article, 0, article.Length) == 0
                && (i + article.Length == s.Length || !IsWordChar(s[i + article.Length])))
            {
                return article.Length;
            }
        }

        return 0;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static bool IsAsciiPunctuation(char c) =>
        (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}
