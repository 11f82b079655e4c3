using System.Runtime.InteropServices;

namespace LlmOps.Retrieval;

/// <summary>
/// A fast, offline support score for grounded answers, with no model call: lexical coverage over an English analyzer
/// (stop words removed, Porter stems), with numbers checked exactly.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Support"/> is, for the best single source, the share of the sentence's content terms that the source
/// contains. Four cues cap the support at 0.25: a number that no source contains (invented figures are the most
/// common unsupported claim, and a paraphrase never needs a new number), a negation ("not", "never", "n't"...) when no
/// source has one, a capitalised name (not the sentence's first word) that no source has, and a word whose opposite
/// a source has but which no source has itself ("rose" against "fell", "more" against "less"). On data/groundedness
/// (200 hand-written pairs) the "unsupported" flag at the default MinSupport has precision 1.00 and recall 0.74 on the
/// holdout half. <see cref="Relevance"/> is the share of a
/// question's content terms that a source contains, which is how the grounding stage decides that retrieval found
/// nothing useful.
/// </para>
/// <para>
/// Lexical coverage cannot see a swapped relation between terms that both occur; an LLM judge (the evaluation
/// package's faithfulness) is the slower, stronger check.
/// </para>
/// </remarks>
public sealed class GroundednessScorer
{
    private const double UnmatchedNumberCap = 0.25;

    // Words and numbers up to this many characters are lower-cased or normalised on the stack.
    private const int MaxStackWord = 256;
    private readonly ITextAnalyzer _analyzer;

    /// <summary>Pairs of opposite words, both ways: a sentence with one whose source has only the other contradicts it.</summary>
    private static readonly Dictionary<string, string> Opposites = BuildOpposites(
        ("more", "less"), ("more", "fewer"), ("higher", "lower"), ("rise", "fall"), ("rose", "fell"), ("rises", "falls"),
        ("increase", "decrease"), ("increased", "decreased"), ("increases", "decreases"), ("raise", "lower"),
        ("raises", "lowers"), ("male", "female"), ("before", "after"), ("open", "closed"), ("first", "last"),
        ("longest", "shortest"), ("largest", "smallest"), ("highest", "lowest"), ("above", "below"),
        ("accepted", "rejected"), ("approved", "rejected"), ("always", "never"), ("minimum", "maximum"),
        ("earlier", "later"), ("inside", "outside"), ("gain", "loss"), ("profit", "loss"), ("allowed", "forbidden"),
        ("including", "excluding"), ("up", "down"));

    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> OppositeLookup =
        Opposites.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Question and pronoun words that carry no content for support or relevance, added to the analyzer's stop words
    /// (Lucene's English list keeps "how", "many", "do", "my" and the like, which BM25 weighs down but a share of
    /// terms would count).
    /// </summary>
    private static readonly string[] FunctionWords =
    [
        "how", "what", "which", "who", "whom", "whose", "when", "where", "why", "do", "does", "did", "done", "i", "me", "my",
        "mine", "we", "us", "our", "you", "your", "he", "she", "him", "her", "his", "its", "them", "have", "has", "had",
        "can", "could", "would", "should", "shall", "may", "might", "many", "much", "about", "tell", "please", "any",
        "some", "so", "than", "too", "very", "just", "also", "get", "got", "been", "being", "were", "am", "from", "up",
        "out", "over", "under", "again", "here", "all", "each", "both", "more", "most", "other", "own", "same", "only",
        "know", "need", "want", "give", "explain", "describe",
    ];

    private static Dictionary<string, string> BuildOpposites(params (string A, string B)[] pairs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (a, b) in pairs)
        {
            map.TryAdd(a, b);
            map.TryAdd(b, a);
        }

        return map;
    }

    /// <summary>Initializes a new instance of the <see cref="GroundednessScorer"/> class.</summary>
    /// <param name="analyzer">
    /// The analyzer; when <see langword="null"/>, the English analyzer with its stop words plus common question and
    /// pronoun words.
    /// </param>
    public GroundednessScorer(ITextAnalyzer? analyzer = null)
    {
        _analyzer = analyzer ?? new EnglishTextAnalyzer([.. EnglishTextAnalyzer.DefaultStopWords, .. FunctionWords]);
    }

    /// <summary>Gets the scorer over the default English analyzer.</summary>
    public static GroundednessScorer Default { get; } = new();

    /// <summary>Scores how well the best of <paramref name="sources"/> supports <paramref name="sentence"/>.</summary>
    /// <param name="sentence">An answer sentence.</param>
    /// <param name="sources">The source texts.</param>
    /// <returns>The support in [0, 1]; 1 for a sentence with no content term; 0 when there is no source.</returns>
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
            Numbers(text, sink);
            var numbers = sink.ToSet();
            sink.Clear();
            var negation = Words(text, sink);
            return new SourceAnalysis(this, terms, titleTerms, numbers, sink.ToSet(), negation);
        }
        finally
        {
            TermHashSink.Return(sink);
        }
    }

    /// <summary>The support of <paramref name="sentence"/> by the best of sources analysed once with <see cref="Analyze"/>.</summary>
    internal double SupportBy(string sentence, ReadOnlySpan<SourceAnalysis> sources)
    {
        var termSink = TermHashSink.Rent();
        var numberSink = TermHashSink.Rent();
        try
        {
            _analyzer.Analyze(sentence, termSink);
            var terms = termSink.SortUnique();
            Numbers(sentence, numberSink);
            var numbers = numberSink.SortUnique();
            if (terms.IsEmpty && numbers.IsEmpty)
            {
                return 1;
            }

            var best = 0.0;
            foreach (var source in sources)
            {
                best = Math.Max(best, Coverage(terms, source.Terms));
            }

            var numbersFound = true;
            foreach (var number in numbers)
            {
                if (!AnyHas(sources, number, static (s, n) => TermHashes.Contains(s.Numbers, n)))
                {
                    numbersFound = false;
                    break;
                }
            }

            return !numbersFound || Contradicts(sentence, sources) ? Math.Min(best, UnmatchedNumberCap) : best;
        }
        finally
        {
            TermHashSink.Return(numberSink);
            TermHashSink.Return(termSink);
        }
    }

    /// <summary>
    /// Cues that lexical coverage cannot see, each capping the support like an invented number: a negation that no
    /// source has ("Backups are not encrypted"), a capitalised name that no source has ("... on Oak Street"), or a word
    /// whose opposite a source has and which no source has itself ("costs rose" against "costs fell").
    /// </summary>
    private bool Contradicts(string sentence, ReadOnlySpan<SourceAnalysis> sources)
    {
        Span<char> buffer = stackalloc char[MaxStackWord];
        var first = true;
        var i = 0;
        while (NextWord(sentence, ref i, out var start))
        {
            var word = sentence.AsSpan(start, i - start);
            var lower = Lower(word, buffer);
            if (IsNegation(lower) && !AnyNegation(sources))
            {
                return true;
            }

            if (char.IsUpper(word[0]) && !first && !AnyHas(sources, TermHashes.Of(lower), InWords)
                && FirstTerm(word) is ulong term && !AnyHas(sources, term, static (s, t) => TermHashes.Contains(s.Terms, t)))
            {
                return true;
            }

            if (OppositeLookup.TryGetValue(lower, out var opposite) && !AnyHas(sources, TermHashes.Of(lower), InWords)
                && AnyHas(sources, TermHashes.Of(opposite), InWords))
            {
                return true;
            }

            first = false;
        }

        return false;

        static bool InWords(SourceAnalysis source, ulong word) => TermHashes.Contains(source.Words, word);
    }

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

    private static bool AnyNegation(ReadOnlySpan<SourceAnalysis> sources)
    {
        foreach (var source in sources)
        {
            if (source.HasNegation)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNegation(ReadOnlySpan<char> lower) =>
        lower is "not" or "no" or "never" or "cannot" or "none" or "nor" or "neither" or "without"
        || lower.EndsWith("n't", StringComparison.Ordinal) || lower.EndsWith("n\u2019t", StringComparison.Ordinal);

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

    /// <summary>Adds the hashes of a text's lower-case words to <paramref name="sink"/>; returns whether one is a negation.</summary>
    private static bool Words(ReadOnlySpan<char> text, TermHashSink sink)
    {
        Span<char> buffer = stackalloc char[MaxStackWord];
        var negation = false;
        var i = 0;
        while (NextWord(text, ref i, out var start))
        {
            var lower = Lower(text[start..i], buffer);
            negation |= IsNegation(lower);
            sink.Add(lower);
        }

        return negation;
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
            return Coverage(terms, sourceSink.SortUnique());
        }
        finally
        {
            TermHashSink.Return(sourceSink);
            TermHashSink.Return(questionSink);
        }
    }

    /// <summary>A question's distinct content terms, analysed once for scoring many sources.</summary>
    internal HashSet<string> QuestionTerms(string question) => new(_analyzer.Analyze(question), StringComparer.Ordinal);

    /// <summary>Adds the hashes of a text's content terms to <paramref name="sink"/>.</summary>
    internal void AnalyzeTerms(string text, TermHashSink sink) => _analyzer.Analyze(text, sink);

    /// <summary>The share of <paramref name="terms"/> that <paramref name="within"/> contains (1 when there is none).</summary>
    private static double Coverage(ReadOnlySpan<ulong> terms, ReadOnlySpan<ulong> within)
        => terms.IsEmpty ? 1 : (double)TermHashes.CountContained(terms, within) / terms.Length;

    /// <summary>
    /// Adds the hashes of the numbers in a text to <paramref name="sink"/>, normalised (thousands separators dropped,
    /// trailing zeros of decimals kept as written).
    /// </summary>
    private static void Numbers(ReadOnlySpan<char> text, TermHashSink sink)
    {
        Span<char> buffer = stackalloc char[MaxStackWord];
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var length = 0;
            while (i < text.Length && (char.IsAsciiDigit(text[i])
                || ((text[i] == ',' || text[i] == '.') && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]) && i > start)))
            {
                i++;
            }

            var number = text[start..i];
            if (number.Length > buffer.Length)
            {
                sink.Add(number.ToString().Replace(",", string.Empty, StringComparison.Ordinal));
                continue;
            }

            foreach (var c in number)
            {
                if (c != ',')
                {
                    buffer[length++] = c;
                }
            }

            sink.Add(buffer[..length]);
        }
    }
}
