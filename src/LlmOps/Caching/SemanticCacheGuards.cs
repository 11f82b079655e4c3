namespace LlmOps.Caching;

/// <summary>
/// The false-hit guards of the semantic tier. A semantic match is served only if every enabled guard passes;
/// a rejection records which guard fired (<see cref="SemanticCacheResult.RejectedBy"/>).
/// </summary>
/// <remarks>
/// Embeddings place a question and its opposite close together ("turn on dark mode" and "turn off dark mode" score
/// 0.95 with all-MiniLM-L6-v2, a true paraphrase only 0.71), so a similarity threshold alone cannot be right.
/// The guards are cheap lexical checks on the two questions.
/// </remarks>
[Flags]
public enum SemanticCacheGuards
{
    /// <summary>No guard.</summary>
    None = 0,

    /// <summary>
    /// Polarity and negation: on/off, enable/disable, allow/deny, with/without, before/after, increase/decrease,
    /// add/remove, import/export, best/worst, first/last and similar pairs, plus an odd/even count of negations
    /// (not, never, no, -n't). Rejects when the two questions point opposite ways.
    /// </summary>
    Polarity = 1,

    /// <summary>Numbers (digits and number words), dates, months, weekdays and relative days must be the same.</summary>
    Numbers = 2,

    /// <summary>Quoted strings ("…", '…', `…`, “…”) must be the same, ignoring case.</summary>
    QuotedStrings = 4,

    /// <summary>
    /// Named entities, found by simple capitalisation heuristics (capitalised words not opening a sentence, acronyms,
    /// mixed-case words), must be the same; an entity that the other question spells in lower case still matches.
    /// </summary>
    Entities = 8,

    /// <summary>The custom verifier (<see cref="SemanticCacheOptions.Verifier"/>) rejected the candidate. Not a switch: set the hook to enable it.</summary>
    Verifier = 16,

    /// <summary>
    /// The trained pair check: a model (boosted trees) over features of the two questions (which words differ and their
    /// classes, the order of shared words around "to/from/than/vs/into/per", spelling variants, word-meaning cosines, the
    /// embedding similarity and the lexical guards' verdicts) decides whether a candidate above the threshold that
    /// passed the lexical guards wants the same answer. It also serves a candidate below the threshold (down to 0.30
    /// similarity) when the two questions have the same words, only respelled (typos, case, contractions) or with one
    /// phrase moved.
    /// </summary>
    PairCheck = 32,

    /// <summary>Every built-in guard: the lexical guards and the pair check (the default).</summary>
    All = Polarity | Numbers | QuotedStrings | Entities | PairCheck,
}
