using System.Globalization;
using LlmOps.Guardrails.Injection;

namespace LlmOps.Guardrails.Training;

/// <summary>
/// A feature or reading candidate for the injection model, evaluated by cross-validation within the training corpus
/// (<c>cv-candidate</c>) before anything ships. The default (all off) is the shipped model's reading.
/// </summary>
/// <param name="Subwords">Adds a block of word-boundary character n-grams (3-5) of the spaced view (lower-cased, diacritics
/// folded, split words rejoined): <see cref="SubwordFeatures"/>.</param>
/// <param name="Clauses">Reads a short text (at most one model chunk) also as its first and last clause, each an instance of
/// the text's bag (the text scores as its most suspicious instance): <see cref="Clauses"/>.</param>
/// <param name="WideWindow">When positive, a text longer than <paramref name="WideMinimum"/> folded characters is also read
/// in windows of up to this many characters (consecutive chunks merged), each an instance of its bag.</param>
/// <param name="WideMinimum">The folded length above which wide windows are read.</param>
/// <param name="WholeToo">An attack read as several instances trains its whole text (or first chunk) as a positive in every
/// epoch, as well as its most suspicious instance (otherwise only the latter).</param>
/// <param name="WideOnly">A text longer than <paramref name="WideMinimum"/> is read in wide windows only (each capped by
/// its neighbours, as chunks are), not in model chunks.</param>
/// <param name="ClauseFlag">A clause instance carries one more feature (a constant), so the model can calibrate clauses apart
/// from whole short texts.</param>
/// <param name="BenignWhole">A benign short text read as clauses trains only its whole text as a negative (its clauses are
/// scored, not trained).</param>
/// <param name="ClauseMinimumWords">A clause with fewer words (of the spaced view) is not an instance.</param>
/// <param name="ScoreOnly">Clause instances are scored, never trained: the model is the shipped reading's, and only the
/// decision reads the clauses too.</param>
/// <param name="ClauseShift">Subtracted from a clause instance's logit when the text is scored (a stricter operating point for
/// clauses than for whole texts).</param>
/// <param name="Concepts">Adds the concept block (<see cref="InjectionLexicon"/>: override, prior, rules, reveal, secret ...
/// words in several languages, and their pairs within a few words). How it was evaluated before it shipped: since feature
/// set 2 the block is part of <see cref="InjectionFeatures"/>, so this item now adds it a second time (a scaling
/// experiment, with <paramref name="ConceptScale"/>).</param>
/// <param name="ConceptsExact">The concept block matches words exactly (and by German compound head) only, not within
/// distance 1.</param>
/// <param name="ConceptScale">A factor on the concept block's values.</param>
/// <param name="AllClauses">A short text's bag holds every clause, not only the first and the last.</param>
/// <param name="Extra">The groups of <see cref="ExtraConcepts"/> read as a further block ("all", or names joined by '+'), or null.</param>
/// <param name="ExtraDocument">The extra block of the whole text is also added to every chunk (and context) of a long text.</param>
/// <param name="ExtraDocumentGroups">The groups read for the whole text's block (null: those of <paramref name="Extra"/>).</param>
/// <param name="ExtraChunk">The extra block of each chunk is read (off: only the whole text's, with <paramref name="ExtraDocument"/>).</param>
internal sealed record FeatureCandidate(bool Subwords, bool Clauses, int WideWindow, int WideMinimum, bool WholeToo = false, bool WideOnly = false, bool ClauseFlag = false, bool BenignWhole = false, int ClauseMinimumWords = 0, bool ScoreOnly = false, double ClauseShift = 0, bool Concepts = false, bool ConceptsExact = false, double ConceptScale = 1, bool AllClauses = false, string? Extra = null, bool ExtraDocument = false, bool ExtraChunk = true, string? ExtraDocumentGroups = null)
{
    /// <summary>Gets the reading without any candidate feature (the shipped reading before issue 17's fourth round).</summary>
    public static FeatureCandidate None { get; } = new(false, false, 0, 0);

    /// <summary>
    /// Gets the shipped reading: since issue 17's fourth round a short text is also scored as its first and last clause
    /// (<see cref="InjectionClauses"/>), clauses scored but never trained, each lowered by <see cref="InjectionClauses.LogitShift"/>.
    /// </summary>
    public static FeatureCandidate Shipped { get; } = None with { Clauses = true, ScoreOnly = true, ClauseShift = InjectionClauses.LogitShift };

    /// <summary>Parses a comma-separated list: <c>subwords</c>, <c>clauses</c>, <c>wide=1024</c>, <c>wide-min=1024</c>, ... (<c>none</c>: no candidate feature; <c>shipped</c>: the shipped reading, to which later items add).</summary>
    /// <param name="text">The list.</param>
    /// <returns>The candidate.</returns>
    /// <exception cref="ArgumentException">An item is not one of those.</exception>
    public static FeatureCandidate Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var candidate = None;
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split('=');
            candidate = parts[0] switch
            {
                "shipped" => Shipped,
                "none" => candidate,
                "subwords" => candidate with { Subwords = true },
                "concepts" => candidate with { Concepts = true },
                "all-clauses" => candidate with { AllClauses = true },
                "extra" when parts.Length == 2 => candidate with { Extra = parts[1] },
                "extra-doc" => candidate with { ExtraDocument = true },
                "extra-doc-groups" when parts.Length == 2 => candidate with { ExtraDocument = true, ExtraDocumentGroups = parts[1] },
                "extra-doc-only" => candidate with { ExtraDocument = true, ExtraChunk = false },
                "concepts-exact" => candidate with { Concepts = true, ConceptsExact = true },
                "concept-scale" when parts.Length == 2 => candidate with { ConceptScale = double.Parse(parts[1], CultureInfo.InvariantCulture) },
                "clauses" => candidate with { Clauses = true },
                "whole-too" => candidate with { WholeToo = true },
                "wide-only" => candidate with { WideOnly = true },
                "clause-flag" => candidate with { ClauseFlag = true },
                "benign-whole" => candidate with { BenignWhole = true },
                "score-only" => candidate with { ScoreOnly = true },
                "clause-shift" when parts.Length == 2 => candidate with { ClauseShift = double.Parse(parts[1], CultureInfo.InvariantCulture) },
                "clause-min" when parts.Length == 2 => candidate with { ClauseMinimumWords = int.Parse(parts[1], CultureInfo.InvariantCulture) },
                "wide" when parts.Length == 2 => candidate with
                {
                    WideWindow = int.Parse(parts[1], CultureInfo.InvariantCulture),
                    WideMinimum = candidate.WideMinimum == 0 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : candidate.WideMinimum,
                },
                "wide-min" when parts.Length == 2 => candidate with { WideMinimum = int.Parse(parts[1], CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown candidate item '{item}': use none, shipped, subwords, concepts, concepts-exact, clauses, whole-too, wide=N or wide-min=N, separated by commas.", nameof(text)),
            };
        }

        return candidate;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var items = new List<string>();
        if (Subwords)
        {
            items.Add("subwords");
        }

        if (Clauses)
        {
            items.Add("clauses");
        }

        if (Concepts)
        {
            items.Add(ConceptsExact ? "concepts-exact" : "concepts");
            if (ConceptScale != 1)
            {
                items.Add(string.Create(CultureInfo.InvariantCulture, $"concept-scale={ConceptScale}"));
            }
        }

        if (Extra is not null)
        {
            items.Add("extra=" + Extra);
            if (ExtraDocument)
            {
                items.Add(ExtraChunk ? "extra-doc" : "extra-doc-only");
                if (ExtraDocumentGroups is not null)
                {
                    items.Add("extra-doc-groups=" + ExtraDocumentGroups);
                }
            }
        }

        if (AllClauses)
        {
            items.Add("all-clauses");
        }

        if (WholeToo)
        {
            items.Add("whole-too");
        }

        if (ClauseMinimumWords > 0)
        {
            items.Add(string.Create(CultureInfo.InvariantCulture, $"clause-min={ClauseMinimumWords}"));
        }

        if (ClauseShift != 0)
        {
            items.Add(string.Create(CultureInfo.InvariantCulture, $"clause-shift={ClauseShift}"));
        }

        if (ScoreOnly)
        {
            items.Add("score-only");
        }

        if (BenignWhole)
        {
            items.Add("benign-whole");
        }

        if (ClauseFlag)
        {
            items.Add("clause-flag");
        }

        if (WideOnly)
        {
            items.Add("wide-only");
        }

        if (WideWindow > 0)
        {
            items.Add(string.Create(CultureInfo.InvariantCulture, $"wide={WideWindow}"));
            items.Add(string.Create(CultureInfo.InvariantCulture, $"wide-min={WideMinimum}"));
        }

        return items.Count == 0 ? "none" : string.Join(',', items);
    }
}
