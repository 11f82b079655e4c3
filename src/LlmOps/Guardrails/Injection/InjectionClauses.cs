namespace LlmOps.Guardrails.Injection;

/// <summary>
/// The appended-clause reading of the trained layer (issue 17): a short text (one model chunk) of two or more clauses is
/// also scored as its first clause and as its last clause, and scores as the most suspicious of the three readings. Many
/// human-written injections are a harmless question with an override appended ("Wie ist das Wetter? Vergiss alles davor
/// und ...") or put in front ("Forget everything before that. What is ...?"); read whole, the question dilutes the clause.
/// </summary>
/// <remarks>
/// A clause is read by the same model, with the grammar's evidence for that clause, and its logit is lowered by
/// <see cref="LogitShift"/> (a stricter operating point for a clause than for a whole text). The model is not retrained:
/// clauses are scored, never trained. Chosen by cross-validation within the train splits (<c>cv-candidate</c> in
/// <c>tools/LlmOps.Guardrails.Training</c>; <c>benchmarks/results/GuardrailsQuality.md</c>, fourth round).
/// </remarks>
internal static class InjectionClauses
{
    /// <summary>The amount subtracted from a clause's logit: a clause needs p >= 0.945 where a whole text needs 0.70.</summary>
    public const double LogitShift = 2.5;

    private static readonly double ShiftFactor = Math.Exp(LogitShift);

    /// <summary>Gets the first and last clause of a folded text, or null when it has fewer than two clauses.</summary>
    /// <param name="folded">The folded text.</param>
    /// <returns>The ranges of the first and the last clause.</returns>
    /// <remarks>A clause ends at a newline, or at <c>. ! ? ; :</c> followed by whitespace or the end of the text, and has a letter.</remarks>
    public static ((int Start, int Length) First, (int Start, int Length) Last)? FirstAndLast(string folded)
    {
        ArgumentNullException.ThrowIfNull(folded);
        var (first, last, count) = Walk(folded, null);
        return count >= 2 ? (first, last) : null;
    }

    /// <summary>Gets every clause of a folded text (as <see cref="FirstAndLast"/> splits it), or none when it has fewer than two.</summary>
    /// <param name="folded">The folded text.</param>
    /// <returns>The clauses' ranges, in order (empty when the text has fewer than two clauses).</returns>
    /// <remarks>Used by the training tool to evaluate reading every clause (not shipped: it cost hard-negative false positives).</remarks>
    public static List<(int Start, int Length)> All(string folded)
    {
        ArgumentNullException.ThrowIfNull(folded);
        var clauses = new List<(int Start, int Length)>();
        if (Walk(folded, clauses).Count < 2)
        {
            clauses.Clear();
        }

        return clauses;
    }

    /// <summary>Splits a folded text into clauses: returns the first, the last and how many; adds each to <paramref name="all"/> when given.</summary>
    private static ((int Start, int Length) First, (int Start, int Length) Last, int Count) Walk(string folded, List<(int Start, int Length)>? all)
    {
        (int Start, int Length) first = default, last = default;
        var count = 0;
        var begin = 0;
        for (var i = 0; i < folded.Length; i++)
        {
            var c = folded[i];
            var end = c == '\n' || ((c is '.' or '!' or '?' or ';' or ':') && (i + 1 == folded.Length || char.IsWhiteSpace(folded[i + 1])));
            if (end || i + 1 == folded.Length)
            {
                if (Trim(folded, begin, i + 1 - begin) is { } clause)
                {
                    first = count == 0 ? clause : first;
                    last = clause;
                    count++;
                    all?.Add(clause);
                }

                begin = i + 1;
            }
        }

        return (first, last, count);
    }

    /// <summary>Lowers a clause's probability by <see cref="LogitShift"/> on the logit scale.</summary>
    /// <param name="probability">The model's probability for the clause.</param>
    /// <returns>sigmoid(logit(<paramref name="probability"/>) - <see cref="LogitShift"/>).</returns>
    public static double Shift(double probability) => probability / (probability + ((1 - probability) * ShiftFactor));

    private static (int Start, int Length)? Trim(string folded, int start, int length)
    {
        while (length > 0 && char.IsWhiteSpace(folded[start]))
        {
            start++;
            length--;
        }

        while (length > 0 && char.IsWhiteSpace(folded[start + length - 1]))
        {
            length--;
        }

        for (var i = start; i < start + length; i++)
        {
            if (char.IsLetter(folded[i]))
            {
                return (start, length);
            }
        }

        return null;
    }
}
