namespace LlmOps.Evaluation.Metrics;

/// <summary>The argument checks the reference-based metrics (BLEU, chrF) share.</summary>
internal static class ReferenceArguments
{
    /// <summary>Throws unless <paramref name="references"/> holds at least one reference and no null.</summary>
    /// <param name="references">The references of one hypothesis.</param>
    /// <param name="name">The parameter name, as the caller sees it.</param>
    /// <param name="metric">The metric's name for the message (e.g. <c>BLEU</c>).</param>
    public static void Validate(IReadOnlyList<string>? references, string name, string metric)
    {
        ArgumentNullException.ThrowIfNull(references, name);
        if (references.Count == 0)
        {
            throw new ArgumentException($"{metric} needs at least one reference; {name} is empty. Pass the reference text(s) for the hypothesis.", name);
        }

        for (int i = 0; i < references.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(references[i], $"{name}[{i}]");
        }
    }

    /// <summary>Throws unless there is one reference list per hypothesis (a corpus score's arguments).</summary>
    /// <param name="hypotheses">The hypotheses.</param>
    /// <param name="references">One reference list per hypothesis.</param>
    public static void ValidateCorpus(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        ArgumentNullException.ThrowIfNull(references);
        if (hypotheses.Count != references.Count)
        {
            throw new ArgumentException(
                $"Each hypothesis needs its own list of references: there are {hypotheses.Count} hypotheses and {references.Count} reference lists. Pass one reference list per hypothesis.",
                nameof(references));
        }
    }
}
