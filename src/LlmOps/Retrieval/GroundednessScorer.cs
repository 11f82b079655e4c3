using System.Buffers;
using System.Runtime.InteropServices;

namespace LlmOps.Retrieval;

/// <summary>
/// A fast, offline support score for grounded answers, with no model call: lexical coverage of the answer sentence by a
/// source over an English analyzer (stop words removed, Porter stems), capped by contradiction cues that coverage cannot
/// see (numbers, units, names, negations and opposite words).
/// </summary>
/// <remarks>
/// <para>
/// <b>Coverage.</b> <see cref="Support"/> starts from the share of the sentence's content terms that the best single
/// source contains. Numbers, number words, units and negation words are not content terms here: they are checked by the
/// cues below, so "sixteen weeks" against "16 weeks" loses nothing and "45 hours" against "45 minutes" gains nothing.
/// (Coverage by the best source <i>sentence</i>, or by each answer clause, was measured on the tuning splits: it flagged
/// more faithful paraphrases than extra claims it caught, so the whole source is the unit.)
/// </para>
/// <para>
/// <b>Cues.</b> Each caps the support at 0.25:
/// <list type="bullet">
/// <item>a number that no source has (digits and number words; "1.2 billion" = "1,200,000,000", "3.50" = "3.5",
/// "sixteen" = "16", "8%" = "8 percent"; ordinals from "second" and "2nd" on);</item>
/// <item>a unit of measure bound to a quantity ("45 hours", "an hour", "€3", "21 kg", "km/h") that no source names
/// while a source names another unit of the same dimension (time, length, mass, volume, money, data, scale, am/pm...);</item>
/// <item>a number bound to another word than in the source, when the source binds that word to another number ("20
/// books" where the source lends 12 books and charges 20 cents; "10 am on weekdays" where it opens at 9 am on weekdays
/// and 10 am on Saturdays);</item>
/// <item>a capitalised name (not the sentence's first word, nor a unit symbol) that no source has;</item>
/// <item>a word that no source has whose opposite a source has ("rose" against "fell", "open" against "closed"; about
/// 80 general pairs with their inflections, in <c>SupportLexicon</c>);</item>
/// <item>clause by clause: a negated answer clause when no negated source clause shares a term with it ("Items do not
/// need their packaging"); an affirmative answer clause that keeps the word its best-matching source clause negates
/// ("Penicillin works against viruses" against "Penicillin does not work against viruses"); an opposite word, or an
/// "un-"/"non-" word against its base ("unlocks" against "locks"), in the best-matching source clause.</item>
/// </list>
/// Clauses end at sentence ends, commas, semicolons, colons, brackets and before "but", "while", "whereas",
/// "although", "though".
/// </para>
/// <para>
/// On data/groundedness the "unsupported" flag at the default <see cref="GroundingOptions.MinSupport"/> (0.6) is
/// measured on a holdout split that was not tuned on (figures in the README and benchmarks/results/RetrievalQuality.md).
/// <see cref="Relevance"/> is the share of a question's content terms that a source contains, which is how the grounding
/// stage decides that retrieval found nothing useful.
/// </para>
/// <para>
/// Lexical coverage cannot see a swapped relation between terms that all occur ("converts chemical energy into light
/// energy", "free from mobile phones but charged from landlines"), nor a word swapped for one it has no list for
/// ("magma from the core" against "from the mantle"); an LLM judge (the evaluation package's faithfulness) is the
/// slower, stronger check.
/// </para>
/// </remarks>
public sealed class GroundednessScorer
{
    private const double ContradictionCap = 0.25;

    // Words up to this many characters are lower-cased on the stack.
    private const int MaxStackWord = 256;

    // An answer clause is compared with the source clause that shares most of its terms, and at least this many.
    private const int SharedTerms = 2;

    private readonly ITextAnalyzer _analyzer;

    // The analyzer's terms of number, scale, unit and negation words, left out of content terms (they are checked apart).
    private readonly HashSet<ulong> _numberTerms;

    /// <summary>
    /// Question and pronoun words that carry no content for support or relevance, added to the analyzer's stop words
    /// (Lucene's English list keeps "how", "many", "do", "my" and the like, which BM25 weighs down but a share of
    /// terms would count).
    /// </summary>
    private static readonly string[] FunctionWordList =
    [
        "how", "what", "which", "who", "whom", "whose", "when", "where", "why", "do", "does", "did", "done", "i", "me", "my",
        "mine", "we", "us", "our", "you", "your", "he", "she", "him", "her", "his", "its", "them", "have", "has", "had",
        "can", "could", "would", "should", "shall", "may", "might", "many", "much", "about", "tell", "please", "any",
        "some", "so", "than", "too", "very", "just", "also", "get", "got", "been", "being", "were", "am", "from", "up",
        "out", "over", "under", "again", "here", "all", "each", "both", "more", "most", "other", "own", "same", "only",
        "know", "need", "want", "give", "explain", "describe",
    ];

    // Stop and function words, skipped when looking for the content word a number is bound to ("10 am on weekdays").
    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> FunctionWordLookup =
        new HashSet<string>([.. EnglishTextAnalyzer.DefaultStopWords, .. FunctionWordList, "per"], StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Initializes a new instance of the <see cref="GroundednessScorer"/> class.</summary>
    /// <param name="analyzer">
    /// The analyzer; when <see langword="null"/>, the English analyzer with its stop words plus common question and
    /// pronoun words.
    /// </param>
    public GroundednessScorer(ITextAnalyzer? analyzer = null)
    {
        _analyzer = analyzer ?? new EnglishTextAnalyzer([.. EnglishTextAnalyzer.DefaultStopWords, .. FunctionWordList]);
        _numberTerms = [];
        var sink = TermHashSink.Rent();
        try
        {
            foreach (var word in SupportLexicon.UncountedWords)
            {
                sink.Clear();
                _analyzer.Analyze(word, sink);
                foreach (var hash in sink.Hashes)
                {
                    _numberTerms.Add(hash);
                }
            }
        }
        finally
        {
            TermHashSink.Return(sink);
        }
    }

    /// <summary>Gets the scorer over the default English analyzer.</summary>
    public static GroundednessScorer Default { get; } = new();

    /// <summary>Scores how well the best of <paramref name="sources"/> supports <paramref name="sentence"/>.</summary>
    /// <param name="sentence">An answer sentence.</param>
    /// <param name="sources">The source texts.</param>
    /// <returns>The support in [0, 1]; 1 for a sentence with no content term or number; 0 when there is no source.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public double Support(string sentence, IEnumerable<string> sources)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        ArgumentNullException.ThrowIfNull(sources);
        var prepared = new List<SourceAnalysis>();
        foreach (var source in sources)
        {
            if (!string.IsNullOrEmpty(source))
            {
                prepared.Add(Analyze(source, null));
            }
        }

        return SupportBy(sentence, CollectionsMarshal.AsSpan(prepared));
    }

    /// <summary>A source (and its title) analysed once, for scoring a question and many sentences against it.</summary>
    internal SourceAnalysis Analyze(string text, string? title)
    {
        var sink = TermHashSink.Rent();
        var units = TermHashSink.Rent();
        try
        {
            _analyzer.Analyze(text, sink);
            var terms = sink.ToSet();
            ulong[] titleTerms = [];
            if (title is { Length: > 0 })
            {
                sink.Clear();
                _analyzer.Analyze(title, sink);
                titleTerms = sink.ToSet();
            }

            sink.Clear();
            var bindings = TermHashSink.Rent();
            var boundWords = TermHashSink.Rent();
            Quantities(text, sink, units, bindings, boundWords, null, boundOnly: false);
            var numbers = sink.ToSet();
            var unitSet = units.ToSet();
            var quantities = new SourceQuantities(numbers, unitSet, bindings.ToSet(), boundWords.ToSet());
            TermHashSink.Return(boundWords);
            TermHashSink.Return(bindings);
            sink.Clear();
            Words(text, sink);
            var words = sink.ToSet();
            return new SourceAnalysis(this, terms, titleTerms, quantities, words, Clauses(text));
        }
        finally
        {
            TermHashSink.Return(units);
            TermHashSink.Return(sink);
        }
    }

    /// <summary>The support of <paramref name="sentence"/> by the best of sources analysed once with <see cref="Analyze"/>.</summary>
    internal double SupportBy(string sentence, ReadOnlySpan<SourceAnalysis> sources) => Explain(sentence, sources).Support;

    /// <summary>The coverage and cues behind <see cref="SupportBy"/>.</summary>
    internal SupportFacts Explain(string sentence, ReadOnlySpan<SourceAnalysis> sources)
    {
        var termSink = TermHashSink.Rent();
        var numberSink = TermHashSink.Rent();
        var unitSink = TermHashSink.Rent();
        var bindingSink = TermHashSink.Rent();
        var boundWordSink = TermHashSink.Rent();
        var boundNumberSink = TermHashSink.Rent();
        try
        {
            // One analyzer pass, clause by clause: the clauses' terms are the sentence's terms.
            var clauseCues = ClauseCues(sentence, sources, termSink);
            var terms = termSink.SortUnique();
            Quantities(sentence, numberSink, unitSink, bindingSink, boundWordSink, boundNumberSink, boundOnly: true);
            var numbers = numberSink.SortUnique();
            if (terms.IsEmpty && numbers.IsEmpty)
            {
                return new SupportFacts(1, Cue.None);
            }

            var coverage = Coverage(terms, sources);
            var cues = clauseCues;
            foreach (var number in numbers)
            {
                if (!AnyHas(sources, number, static (s, n) => TermHashes.Contains(s.Quantities.Numbers, n)))
                {
                    cues |= Cue.Number;
                    break;
                }
            }

            foreach (var unit in unitSink.SortUnique())
            {
                if (!AnyHas(sources, unit, static (s, u) => TermHashes.Contains(s.Quantities.Units, u))
                    && AnyHas(sources, unit, static (s, u) => (s.Quantities.UnitDimensions & (1L << (int)(u >> 32))) != 0))
                {
                    cues |= Cue.Unit;
                    break;
                }
            }

            // "20 books" where the source lends 12 books and charges 20 cents; "10 am on weekdays" where it opens at 9 am on
            // weekdays and at 10 am on Saturdays: the number is in the source, bound to another word, and the word to another number.
            for (var b = 0; b < bindingSink.Count; b++)
            {
                if (!AnyHas(sources, bindingSink.Hashes[b], static (s, h) => TermHashes.Contains(s.Quantities.Bindings, h))
                    && AnyHas(sources, boundNumberSink.Hashes[b], static (s, n) => TermHashes.Contains(s.Quantities.Numbers, n))
                    && AnyHas(sources, boundWordSink.Hashes[b], static (s, w) => TermHashes.Contains(s.Quantities.BoundWords, w)))
                {
                    cues |= Cue.Binding;
                    break;
                }
            }

            return new SupportFacts(coverage, cues);
        }
        finally
        {
            TermHashSink.Return(boundNumberSink);
            TermHashSink.Return(boundWordSink);
            TermHashSink.Return(bindingSink);
            TermHashSink.Return(unitSink);
            TermHashSink.Return(numberSink);
            TermHashSink.Return(termSink);
        }
    }

    /// <summary>The share of the sentence's content terms that the best source holds (1 for a sentence without one).</summary>
    private static double Coverage(ReadOnlySpan<ulong> terms, ReadOnlySpan<SourceAnalysis> sources)
    {
        if (terms.IsEmpty)
        {
            return 1;
        }

        var best = 0.0;
        foreach (var source in sources)
        {
            best = Math.Max(best, (double)TermHashes.CountContained(terms, source.Terms) / terms.Length);
        }

        return best;
    }

    /// <summary>
    /// Reads an answer clause's words once: what <see cref="ClauseWords"/> collects (the words themselves only when
    /// <paramref name="words"/> is given: they are compared only with a source's "un-" words), plus the cues read against all
    /// sources, a capitalised name that no source has (not the sentence's first word, nor a unit symbol) and a word that
    /// no source has whose opposite some source has. Returns whether the clause has a negation word.
    /// </summary>
    private bool AnswerWords(
        ReadOnlySpan<char> clause, ReadOnlySpan<SourceAnalysis> sources, ref bool first, ref Cue cues, TermHashSink? words, TermHashSink opposites,
        TermHashSink unBases)
    {
        Span<char> buffer = stackalloc char[MaxStackWord];
        var negated = false;
        var i = 0;
        while (NextWord(clause, ref i, out var start))
        {
            var word = clause[start..i];
            var name = char.IsUpper(word[0]) && !first && word.Length > 1;
            first = false;
            if (words is null && !name && !SupportLexicon.MayMatter(word))
            {
                // Not a negation, an "un-" word or a word with an opposite (most words): nothing to look up.
                continue;
            }

            var lower = Lower(word, buffer);
            negated |= SupportLexicon.IsNegation(lower);
            words?.Add(lower);
            var unBase = UnBase(lower);
            if (!unBase.IsEmpty)
            {
                unBases.Add(unBase);
            }

            if (name && !SupportLexicon.TryUnit(lower, out _, out _) && !AnyHas(sources, TermHashes.Of(lower), InWords)
                && FirstTerm(word) is ulong term && !AnyHas(sources, term, static (s, t) => TermHashes.Contains(s.Terms, t)))
            {
                cues |= Cue.Name;
            }

            // "open" against a source that says "closed" (and not "open"); the surface word is compared, so "opens" in
            // another clause does not hide the contradiction.
            var keys = SupportLexicon.OppositeKeys(lower);
            if (!keys.IsEmpty)
            {
                var inSources = AnyHas(sources, TermHashes.Of(lower), InWords);
                foreach (var key in keys)
                {
                    opposites.Add(key);
                    if (!inSources && AnyClauseHas(sources, key ^ 1))
                    {
                        cues |= Cue.Opposite;
                    }
                }
            }
        }

        return negated;

        static bool InWords(SourceAnalysis source, ulong word) => TermHashes.Contains(source.Words, word);
    }

    /// <summary>
    /// Cues read clause by clause against the source clause that shares most of the answer clause's content terms: a
    /// negation on one side only, an opposite word, an "un-" word against its base. Each clause's content terms are
    /// added to <paramref name="sentenceTerms"/> on the way.
    /// </summary>
    private Cue ClauseCues(string sentence, ReadOnlySpan<SourceAnalysis> sources, TermHashSink sentenceTerms)
    {
        var terms = TermHashSink.Rent();
        var words = TermHashSink.Rent();
        var opposites = TermHashSink.Rent();
        var unWords = TermHashSink.Rent();
        try
        {
            terms.Skip = _numberTerms;
            var cues = Cue.None;
            var first = true;
            bool negatedSources = false, unSources = false;
            foreach (var source in sources)
            {
                negatedSources |= source.HasNegatedClause;
                unSources |= source.HasUnWords;
            }

            var i = 0;
            while (NextClause(sentence, ref i, out var start, out var end, out _))
            {
                var clause = sentence.AsSpan(start, end - start);
                terms.Clear();
                _analyzer.Analyze(clause, terms);
                foreach (var hash in terms.Hashes)
                {
                    sentenceTerms.Add(hash);
                }

                words.Clear();
                opposites.Clear();
                unWords.Clear();
                var negated = AnswerWords(clause, sources, ref first, ref cues, unSources ? words : null, opposites, unWords);
                var clauseTerms = terms.SortUnique();

                // The clause comparison needs a negation, an opposite or an "un-" word on one side or the other.
                if (clauseTerms.IsEmpty || !(negated || negatedSources || unSources || opposites.Count > 0 || unWords.Count > 0))
                {
                    continue;
                }

                if (negated && !AnyNegatedClauseSharing(clauseTerms, sources))
                {
                    // "Items do not need their packaging": no negated source clause speaks of any of these terms.
                    cues |= Cue.Negation;
                }

                if (BestClause(clauseTerms, negated, sources) is not { } best)
                {
                    continue;
                }

                if (!negated && best.Negated && best.NegatedHead != 0 && TermHashes.Contains(clauseTerms, best.NegatedHead))
                {
                    // "Penicillin works against viruses" against "Penicillin does not work against viruses": the answer
                    // keeps what the source negates.
                    cues |= Cue.Negation;
                }

                foreach (var key in opposites.Hashes)
                {
                    if (TermHashes.Contains(best.Opposites, key ^ 1) && !TermHashes.Contains(best.Opposites, key))
                    {
                        cues |= Cue.ClauseOpposite;
                    }
                }

                // "unlocks" against "locks": the answer's un-word's base is in the clause, the un-word is not; and the reverse.
                foreach (var word in unWords.Hashes)
                {
                    if (TermHashes.Contains(best.Words, word) && !TermHashes.Contains(best.UnWords, word))
                    {
                        cues |= Cue.ClauseOpposite;
                    }
                }

                foreach (var word in words.Hashes)
                {
                    if (TermHashes.Contains(best.UnWords, word) && !TermHashes.Contains(best.Words, word))
                    {
                        cues |= Cue.ClauseOpposite;
                    }
                }
            }

            return cues;
        }
        finally
        {
            TermHashSink.Return(unWords);
            TermHashSink.Return(opposites);
            TermHashSink.Return(words);
            TermHashSink.Return(terms);
        }
    }

    /// <summary>Whether a negated source clause shares a content term with an answer clause.</summary>
    private static bool AnyNegatedClauseSharing(ReadOnlySpan<ulong> terms, ReadOnlySpan<SourceAnalysis> sources)
    {
        foreach (var source in sources)
        {
            foreach (var clause in source.Clauses)
            {
                if (clause.Negated && TermHashes.CountContained(terms, clause.Terms) > 0)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The source clause that shares most of an answer clause's terms (at least two, or all of them when it has one);
    /// among equals, one with the same polarity. <see langword="null"/> when none shares enough.
    /// </summary>
    private static SourceClause? BestClause(ReadOnlySpan<ulong> terms, bool negated, ReadOnlySpan<SourceAnalysis> sources)
    {
        SourceClause? best = null;
        var bestCount = Math.Min(SharedTerms, terms.Length) - 1;
        foreach (var source in sources)
        {
            foreach (var clause in source.Clauses)
            {
                var count = TermHashes.CountContained(terms, clause.Terms);
                if (count > bestCount || (count == bestCount && best is { } current && current.Negated != negated && clause.Negated == negated))
                {
                    (best, bestCount) = (clause, count);
                }
            }
        }

        return best;
    }

    /// <summary>Splits a source into clauses and analyses each.</summary>
    private SourceClause[] Clauses(string text)
    {
        // Each clause's four sorted sets go one after the other into one array, shared by the clauses.
        var layout = new List<(int Start, int Terms, int Words, int Opposites, int UnWords, bool Negated, ulong Head)>();
        var data = TermHashSink.Rent();
        var terms = TermHashSink.Rent();
        var words = TermHashSink.Rent();
        var opposites = TermHashSink.Rent();
        var unWords = TermHashSink.Rent();
        try
        {
            terms.Skip = _numberTerms;
            var i = 0;
            while (NextClause(text, ref i, out var start, out var end, out _))
            {
                var clause = text.AsSpan(start, end - start);
                terms.Clear();
                _analyzer.Analyze(clause, terms);
                words.Clear();
                opposites.Clear();
                unWords.Clear();
                var negation = ClauseWords(clause, words, opposites, unWords);

                // A clause with no term, opposite, negation or "un-" word takes part in no comparison. Its own un-words
                // are kept as the bases they negate ("unlocked" is stored as "locked").
                if (terms.Count > 0 || opposites.Count > 0 || unWords.Count > 0 || negation >= 0)
                {
                    var at = data.Count;
                    var counts = (Append(data, terms), Append(data, words), Append(data, opposites), Append(data, unWords));
                    layout.Add((at, counts.Item1, counts.Item2, counts.Item3, counts.Item4, negation >= 0, NegatedHead(clause, negation)));
                }
            }

            var shared = data.Hashes.ToArray();
            var clauses = new SourceClause[layout.Count];
            for (var c = 0; c < clauses.Length; c++)
            {
                var (at, t, w, o, u, negated, head) = layout[c];
                clauses[c] = new SourceClause(shared, at, t, w, o, u, negated, head);
            }

            return clauses;
        }
        finally
        {
            TermHashSink.Return(unWords);
            TermHashSink.Return(opposites);
            TermHashSink.Return(words);
            TermHashSink.Return(terms);
            TermHashSink.Return(data);
        }

        static int Append(TermHashSink data, TermHashSink set)
        {
            var sorted = set.SortUnique();
            var count = Math.Min(sorted.Length, SourceClause.MaxSegment);
            foreach (var hash in sorted[..count])
            {
                data.Add(hash);
            }

            return count;
        }
    }

    /// <summary>
    /// Reads a clause's words: adds each lower-case word of four letters or more to <paramref name="words"/>, the opposite keys of each to
    /// <paramref name="opposites"/>, and the base of each "un-"/"non-" word to <paramref name="unBases"/>; returns the
    /// position just after the clause's first negation word, or -1 when it has none.
    /// </summary>
    private static int ClauseWords(ReadOnlySpan<char> clause, TermHashSink words, TermHashSink opposites, TermHashSink unBases)
    {
        Span<char> buffer = stackalloc char[MaxStackWord];
        var negation = -1;
        var i = 0;
        while (NextWord(clause, ref i, out var start))
        {
            var lower = Lower(clause[start..i], buffer);
            if (negation < 0 && SupportLexicon.IsNegation(lower))
            {
                negation = i;
            }

            // Only words of four letters or more: the clause's words are compared with the bases of "un-" words alone.
            if (lower.Length >= 4)
            {
                words.Add(lower);
            }

            foreach (var key in SupportLexicon.OppositeKeys(lower))
            {
                opposites.Add(key);
            }

            var unBase = UnBase(lower);
            if (!unBase.IsEmpty)
            {
                unBases.Add(unBase);
            }
        }

        return negation;
    }

    /// <summary>The first content term after a clause's negation word ("work" in "does not work against viruses"), or 0.</summary>
    private ulong NegatedHead(ReadOnlySpan<char> clause, int negationEnd)
    {
        if (negationEnd < 0)
        {
            return 0;
        }

        var sink = TermHashSink.Rent();
        try
        {
            sink.Skip = _numberTerms;
            _analyzer.Analyze(clause[negationEnd..], sink);
            return sink.Count > 0 ? sink.Hashes[0] : 0;
        }
        finally
        {
            TermHashSink.Return(sink);
        }
    }

    /// <summary>The base of an "un-" or "non-" word of at least four more letters ("unlocked" gives "locked"); empty otherwise.</summary>
    private static ReadOnlySpan<char> UnBase(ReadOnlySpan<char> lower)
    {
        if (lower.Length >= 6 && lower.StartsWith("un", StringComparison.Ordinal))
        {
            return lower[2..];
        }

        return lower.Length >= 7 && lower.StartsWith("non", StringComparison.Ordinal) ? lower[3..] : default;
    }

    /// <summary>
    /// Finds the next clause at or after <paramref name="i"/>: it ends at a sentence end (".", "!", "?" before a space or
    /// the end, a line break), at ",", ";", ":" or a bracket (not a point or comma between digits), or before "but",
    /// "while", "whereas", "although" or "though".
    /// </summary>
    private static bool NextClause(ReadOnlySpan<char> text, ref int i, out int start, out int end, out bool sentenceEnd)
    {
        while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] is ',' or ';' or ':' or '(' or ')' or '.' or '!' or '?'))
        {
            i++;
        }

        start = i;
        sentenceEnd = true;
        if (i >= text.Length)
        {
            end = i;
            return false;
        }

        while (i < text.Length)
        {
            var c = text[i];
            switch (c)
            {
                case '\n':
                case '!':
                case '?':
                    end = i++;
                    return true;
                case '.':
                    if (i + 1 >= text.Length || char.IsWhiteSpace(text[i + 1]))
                    {
                        end = i++;
                        return true;
                    }

                    i++;
                    continue;
                case ',' when i > 0 && char.IsAsciiDigit(text[i - 1]) && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]):
                    i++;
                    continue;
                case ',':
                case ';':
                case ':':
                case '(':
                case ')':
                    sentenceEnd = false;
                    end = i++;
                    return true;
            }

            if (char.IsLetter(c) && (i == start || !char.IsLetter(text[i - 1])))
            {
                var w = i;
                while (w < text.Length && char.IsLetter(text[w]))
                {
                    w++;
                }

                if (i > start && IsClauseWord(text[i..w]))
                {
                    sentenceEnd = false;
                    end = i;
                    return true;
                }

                i = w;
                continue;
            }

            i++;
        }

        end = i;
        return true;
    }

    private static bool IsClauseWord(ReadOnlySpan<char> word) =>
        word.Length is >= 3 and <= 8 && (word[0] | 0x20) is 'b' or 'w' or 'a' or 't' && (word.Equals("but", StringComparison.OrdinalIgnoreCase) || word.Equals("while", StringComparison.OrdinalIgnoreCase)
            || word.Equals("whereas", StringComparison.OrdinalIgnoreCase) || word.Equals("although", StringComparison.OrdinalIgnoreCase)
            || word.Equals("though", StringComparison.OrdinalIgnoreCase));

    /// <summary>The hash of the analyzer's first term of a word, or <see langword="null"/> when it has none (a stop word).</summary>
    private ulong? FirstTerm(ReadOnlySpan<char> word)
    {
        var sink = TermHashSink.Rent();
        try
        {
            _analyzer.Analyze(word, sink);
            return sink.Count > 0 ? sink.Hashes[0] : null;
        }
        finally
        {
            TermHashSink.Return(sink);
        }
    }

    private static bool AnyHas(ReadOnlySpan<SourceAnalysis> sources, ulong hash, Func<SourceAnalysis, ulong, bool> has)
    {
        foreach (var source in sources)
        {
            if (has(source, hash))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyClauseHas(ReadOnlySpan<SourceAnalysis> sources, ulong key)
    {
        foreach (var source in sources)
        {
            foreach (var clause in source.Clauses)
            {
                if (TermHashes.Contains(clause.Opposites, key))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Finds the next word at or after <paramref name="i"/> (letters and apostrophes between letters; digits split
    /// words), leaving <paramref name="i"/> just past it.
    /// </summary>
    private static bool NextWord(ReadOnlySpan<char> text, ref int i, out int start)
    {
        while (i < text.Length && !char.IsLetter(text[i]))
        {
            i++;
        }

        start = i;
        if (i >= text.Length)
        {
            return false;
        }

        while (i < text.Length && (char.IsLetter(text[i]) || ((text[i] == '\'' || text[i] == '\u2019') && i + 1 < text.Length && char.IsLetter(text[i + 1]))))
        {
            i++;
        }

        return true;
    }

    /// <summary>A word in lower case (invariant), in <paramref name="buffer"/> when it fits.</summary>
    private static ReadOnlySpan<char> Lower(ReadOnlySpan<char> word, Span<char> buffer)
    {
        if (word.Length > buffer.Length)
        {
            return word.ToString().ToLowerInvariant();
        }

        var written = word.ToLowerInvariant(buffer);
        return buffer[..written];
    }

    /// <summary>Adds the hashes of a text's lower-case words to <paramref name="sink"/>.</summary>
    private static void Words(ReadOnlySpan<char> text, TermHashSink sink)
    {
        Span<char> buffer = stackalloc char[MaxStackWord];
        var i = 0;
        while (NextWord(text, ref i, out var start))
        {
            sink.Add(Lower(text[start..i], buffer));
        }
    }

    /// <summary>Scores how much of <paramref name="question"/>'s content <paramref name="source"/> covers.</summary>
    /// <param name="question">The question.</param>
    /// <param name="source">A source text.</param>
    /// <returns>The share of the question's content terms the source contains, in [0, 1]; 0 for a question without content terms.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public double Relevance(string question, string source)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(source);
        var questionSink = TermHashSink.Rent();
        var sourceSink = TermHashSink.Rent();
        try
        {
            _analyzer.Analyze(question, questionSink);
            var terms = questionSink.SortUnique();
            if (terms.IsEmpty)
            {
                return 0;
            }

            _analyzer.Analyze(source, sourceSink);
            var within = sourceSink.SortUnique();
            return (double)TermHashes.CountContained(terms, within) / terms.Length;
        }
        finally
        {
            TermHashSink.Return(sourceSink);
            TermHashSink.Return(questionSink);
        }
    }

    /// <summary>Hands a text's content terms to <paramref name="sink"/>.</summary>
    internal void AnalyzeTerms(string text, ITermSink sink) => _analyzer.Analyze(text, sink);

    /// <summary>
    /// Adds a text's quantities: the bits of each number's value to <paramref name="numbers"/> (digits with thousands
    /// separators and decimals, or a number word, times a following scale word: "1.2 billion", "2,500", "sixteen"; in an
    /// answer, "one" only before a unit or scale word, where it cannot be a pronoun; ordinals from "second" and "2nd" on,
    /// negated), each unit of measure to <paramref name="units"/> (dimension in the high 32 bits), and what each number
    /// is bound to (<see cref="Binding"/>) to <paramref name="bindings"/>, with the bound words alone to
    /// <paramref name="boundWords"/> and, when given, the bound numbers to <paramref name="boundNumbers"/> (the three in
    /// step). With <paramref name="boundOnly"/>, a unit counts only when a quantity, "a", "an",
    /// "per", "every" or "/" comes right before it, or a currency sign right before the number.
    /// </summary>
    private static void Quantities(
        ReadOnlySpan<char> text, TermHashSink numbers, TermHashSink units, TermHashSink bindings, TermHashSink boundWords, TermHashSink? boundNumbers,
        bool boundOnly)
    {
        Span<char> buffer = stackalloc char[MaxStackWord];
        var i = 0;

        // Whether the previous token makes a unit right after it a measure: a number, or "a", "an", "per", "every", "/".
        var bindsUnit = false;

        // The last number, while the words after it are read for its bindings.
        ulong pending = 0;
        var state = BindingState.None;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                if (i > 0 && text[i - 1] is '€' or '$' or '£')
                {
                    AddUnit(units, text.Slice(i - 1, 1));
                }

                var value = ReadNumber(text, ref i);
                if (OrdinalSuffix(text, i) is > 0 and var suffix)
                {
                    // "2nd", "21st": an ordinal, stored as the negated value (no quantity is negative here).
                    numbers.Add(BitConverter.DoubleToUInt64Bits(-value));
                    i += suffix;
                    (bindsUnit, state) = (false, BindingState.None);
                    continue;
                }

                value = Scaled(text, ref i, value, buffer);
                pending = BitConverter.DoubleToUInt64Bits(value + 0.0);
                numbers.Add(pending);
                (bindsUnit, state) = (true, BindingState.Next);
                continue;
            }

            if (c == '%')
            {
                if (bindsUnit || !boundOnly)
                {
                    AddUnit(units, "%");
                }

                i++;
                continue;
            }

            if (!char.IsLetter(c))
            {
                // A space or a hyphen keeps a number bound to the word after it ("5-year", "21 kg"); "/" reads "per".
                bindsUnit = c == '/' || (bindsUnit && c is ' ' or '-' or '\u00A0');
                if (c is ',' or ';' or ':' or '(' or ')' or '!' or '?' or '.')
                {
                    state = BindingState.None;
                }

                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && char.IsLetter(text[i]))
            {
                i++;
            }

            if (boundOnly && !bindsUnit && state == BindingState.None && !SupportLexicon.MayCount(text[start..i]))
            {
                // Nothing pending, and not a number, ordinal or "a"/"per" word: nothing to read (most of an answer's words).
                continue;
            }

            var lower = Lower(text[start..i], buffer);
            if (!bindsUnit && SupportLexicon.TryOrdinal(lower, out var ordinal))
            {
                numbers.Add(BitConverter.DoubleToUInt64Bits(-ordinal));
                state = BindingState.None;
                continue;
            }

            // In an answer, a unit matters only right after a quantity (most words are not looked up).
            var isUnit = (bindsUnit || state != BindingState.None || !boundOnly) && SupportLexicon.TryUnit(lower, out _, out _);
            if (state == BindingState.Next)
            {
                // The word right after the number ("20 books", "45 minutes", "10 am").
                Bind(bindings, boundWords, boundNumbers, BindingState.Next, pending, lower);
                state = BindingState.Context;
            }

            if (state == BindingState.Context && !isUnit && !IsFunctionWord(lower))
            {
                // The first content word after the number and its unit ("10 am on weekdays").
                Bind(bindings, boundWords, boundNumbers, BindingState.Context, pending, lower);
                state = BindingState.None;
            }

            if (isUnit && (bindsUnit || (!boundOnly && lower.Length > 2)))
            {
                AddUnit(units, lower);
                bindsUnit = false;
                continue;
            }

            if (lower.Length is >= 3 and <= 9 && SupportLexicon.TryNumberWord(lower, out var word))
            {
                // "twenty-five"
                if (word >= 20 && word < 100 && i + 1 < text.Length && text[i] == '-' && WordAt(text, i + 1, buffer, out var next, out var after)
                    && SupportLexicon.TryNumberWord(next, out var ones) && ones < 10)
                {
                    word += ones;
                    i = after;
                }

                var end = i;
                var scaled = Scaled(text, ref i, word, buffer);
                var isOne = word == 1 && scaled == 1;
                if (!isOne || !boundOnly || FollowedByUnit(text, end, buffer))
                {
                    pending = BitConverter.DoubleToUInt64Bits(scaled);
                    numbers.Add(pending);
                    (bindsUnit, state) = (true, BindingState.Next);
                    continue;
                }
            }

            bindsUnit = lower is "a" or "an" or "per" or "every" or "each" or "one";
        }
    }

    /// <summary>Adds a number's binding to a word (plural "s" dropped), and the word alone.</summary>
    private static void Bind(TermHashSink bindings, TermHashSink boundWords, TermHashSink? boundNumbers, BindingState kind, ulong number, ReadOnlySpan<char> lower)
    {
        ulong word;
        if (SupportLexicon.TryUnit(lower, out var unit, out _))
        {
            // A unit binds by what it names: "km" and "kilometres" are one word here.
            word = (ulong)unit;
        }
        else
        {
            if (lower.Length > 3 && lower[^1] == 's' && lower[^2] != 's')
            {
                lower = lower[..^1];
            }

            word = TermHashes.Of(lower);
        }

        word += (ulong)kind << 40;
        bindings.Add(Binding(number, word));
        boundWords.Add(word);
        boundNumbers?.Add(number);
    }

    /// <summary>The hash of a number bound to a word.</summary>
    internal static ulong Binding(ulong number, ulong word) => ((number * 0x9E3779B97F4A7C15UL) ^ word) * 0xBF58476D1CE4E5B9UL;

    private static bool IsFunctionWord(ReadOnlySpan<char> lower) => FunctionWordLookup.Contains(lower);

    /// <summary>What the words after a number are read for.</summary>
    private enum BindingState
    {
        None = 0,

        /// <summary>The word right after the number.</summary>
        Next = 1,

        /// <summary>The first content word after the number and its unit.</summary>
        Context = 2,
    }

    /// <summary>The length of an ordinal suffix ("st", "nd", "rd", "th") that ends a word at <paramref name="i"/>, or 0.</summary>
    private static int OrdinalSuffix(ReadOnlySpan<char> text, int i)
    {
        if (i + 2 > text.Length || (i + 2 < text.Length && char.IsLetter(text[i + 2])))
        {
            return 0;
        }

        var suffix = text.Slice(i, 2);
        return suffix.Equals("st", StringComparison.OrdinalIgnoreCase) || suffix.Equals("nd", StringComparison.OrdinalIgnoreCase)
            || suffix.Equals("rd", StringComparison.OrdinalIgnoreCase) || suffix.Equals("th", StringComparison.OrdinalIgnoreCase) ? 2 : 0;
    }

    private static void AddUnit(TermHashSink units, ReadOnlySpan<char> lower)
    {
        if (SupportLexicon.TryUnit(lower, out var id, out var dimension))
        {
            units.Add(((ulong)dimension << 32) | (uint)id);
        }
    }

    /// <summary>Reads digits with thousands groups (",ddd") and a decimal part, leaving <paramref name="i"/> past them.</summary>
    private static double ReadNumber(ReadOnlySpan<char> text, ref int i)
    {
        double value = 0;
        while (i < text.Length)
        {
            if (char.IsAsciiDigit(text[i]))
            {
                value = (value * 10) + (text[i] - '0');
                i++;
            }
            else if (text[i] == ',' && IsGroup(text, i))
            {
                i++;
            }
            else
            {
                break;
            }
        }

        if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
        {
            i++;
            var scale = 0.1;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                value += (text[i] - '0') * scale;
                scale /= 10;
                i++;
            }

            // Decimals are compared as written values, not binary sums: round away the summation error.
            value = Math.Round(value, 9);
        }

        return value;
    }

    /// <summary>Whether the comma at <paramref name="i"/> starts a thousands group: exactly three digits, then no digit.</summary>
    private static bool IsGroup(ReadOnlySpan<char> text, int i) =>
        i + 3 < text.Length && char.IsAsciiDigit(text[i + 1]) && char.IsAsciiDigit(text[i + 2]) && char.IsAsciiDigit(text[i + 3])
        && (i + 4 >= text.Length || !char.IsAsciiDigit(text[i + 4]));

    /// <summary>Applies a scale word after a number ("1.2 billion"), leaving <paramref name="i"/> past it when there is one.</summary>
    private static double Scaled(ReadOnlySpan<char> text, ref int i, double value, Span<char> buffer)
    {
        var j = i;
        while (j < text.Length && text[j] == ' ')
        {
            j++;
        }

        if (WordAt(text, j, buffer, out var word, out var after) && SupportLexicon.TryScale(word, out var factor))
        {
            i = after;
            return Math.Round(value * factor, 6);
        }

        return value;
    }

    /// <summary>Whether a unit or scale word follows position <paramref name="i"/> (after spaces or a hyphen).</summary>
    private static bool FollowedByUnit(ReadOnlySpan<char> text, int i, Span<char> buffer)
    {
        while (i < text.Length && text[i] is ' ' or '-')
        {
            i++;
        }

        return WordAt(text, i, buffer, out var word, out _) && (SupportLexicon.TryUnit(word, out _, out _) || SupportLexicon.TryScale(word, out _));
    }

    /// <summary>The lower-case word (letters only) that starts at <paramref name="i"/>, if one does.</summary>
    private static bool WordAt(ReadOnlySpan<char> text, int i, Span<char> buffer, out ReadOnlySpan<char> lower, out int end)
    {
        end = i;
        while (end < text.Length && char.IsLetter(text[end]))
        {
            end++;
        }

        if (end == i || end - i > 32)
        {
            lower = default;
            return false;
        }

        // The word is lower-cased into the end of the buffer: the caller may hold the start of it.
        var target = buffer[^(end - i)..];
        text[i..end].ToLowerInvariant(target);
        lower = target;
        return true;
    }

    /// <summary>The cues that cap a sentence's support.</summary>
    [Flags]
    internal enum Cue
    {
        None = 0,
        Number = 1,
        Unit = 2,
        Name = 4,
        Opposite = 8,
        Negation = 16,
        ClauseOpposite = 32,
        Binding = 64,
    }

    /// <summary>The coverage and contradiction cues of one answer sentence; <see cref="Support"/> combines them.</summary>
    internal readonly record struct SupportFacts(double Coverage, Cue Cues)
    {
        /// <summary>The support in [0, 1]: the coverage, capped when a cue fired.</summary>
        public double Support => Cues != Cue.None ? Math.Min(Coverage, ContradictionCap) : Coverage;
    }
}
