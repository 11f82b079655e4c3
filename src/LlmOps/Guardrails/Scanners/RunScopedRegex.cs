using System.Buffers;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LlmOps.Guardrails.Scanners;

/// <summary>
/// A scanner regex run only over the parts of a text that can hold a match, with exactly the matches of the regex run
/// over the whole text (issue 16: same findings, a fraction of the time).
/// </summary>
/// <remarks>
/// <para>
/// Every match of a pattern without anchors, word boundaries or lookarounds is made of characters of its
/// <em>alphabet</em> (the union of its character classes), so it lies inside one maximal run of alphabet characters, and
/// matching inside that run alone finds the same match: the engine cannot read a character outside it. A run that holds
/// none of the <em>required</em> characters (at least one of which every match contains), or is shorter than the
/// shortest match, is skipped without running the regex. Ordinary prose splits into short runs of letters and spaces,
/// most of which are skipped by one vectorised search.
/// </para>
/// <para>
/// Without required characters, runs are found by sampling every <c>minimumLength</c>-th character: a run at least that
/// long always covers a sample. The caller states the alphabet and required characters next to the pattern; the unit
/// tests check every scanner's regexes against their whole-text matches on random texts.
/// </para>
/// </remarks>
internal sealed class RunScopedRegex
{
    private readonly SearchValues<char> alphabet;
    private readonly SearchValues<char>? required;
    private readonly int minimumLength;

    /// <summary>Initializes a new instance of the <see cref="RunScopedRegex"/> class.</summary>
    /// <param name="regex">The pattern: no anchors, word boundaries or lookarounds, and no empty match.</param>
    /// <param name="alphabet">Every character any match can contain.</param>
    /// <param name="required">Characters at least one of which every match contains (a subset of the alphabet), or
    /// <see langword="null"/> when there are none; then <paramref name="minimumLength"/> must be at least 2.</param>
    /// <param name="minimumLength">The length of the shortest match.</param>
    public RunScopedRegex(Regex regex, string alphabet, string? required, int minimumLength)
    {
        Debug.Assert(minimumLength >= 1 && (required is not null || minimumLength >= 2), "Without required characters the runs are found by sampling.");
        Debug.Assert(required is null || !required.AsSpan().ContainsAnyExcept(alphabet), "The required characters belong to the alphabet.");
        Regex = regex;
        Alphabet = alphabet;
        Required = required;
        this.alphabet = SearchValues.Create(alphabet);
        this.required = required is null ? null : SearchValues.Create(required);
        this.minimumLength = minimumLength;
    }

    /// <summary>Gets the pattern.</summary>
    public Regex Regex { get; }

    /// <summary>Gets the characters any match can contain.</summary>
    public string Alphabet { get; }

    /// <summary>Gets the characters one of which every match contains, or <see langword="null"/>.</summary>
    public string? Required { get; }

    /// <summary>Gets the length of the shortest match.</summary>
    public int MinimumLength => minimumLength;

    /// <summary>Finds the first match at or after <paramref name="startat"/>: the same match as <c>Regex.Match(text, startat)</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="startat">Where the search starts.</param>
    /// <returns>The match (positions in <paramref name="text"/>), or <see cref="Match.Empty"/>.</returns>
    public Match Match(string text, int startat)
    {
        var from = startat;
        while (from < text.Length)
        {
            var (start, end) = NextRun(text, from);
            if (start < 0)
            {
                break;
            }

            var match = Regex.Match(text, start, end - start);
            if (match.Success)
            {
                return match;
            }

            // text[end] is outside the alphabet (or the end of the text), so no later match includes it.
            from = end + 1;
        }

        return System.Text.RegularExpressions.Match.Empty;
    }

    /// <summary>
    /// Finds the next run that can hold a match: a maximal run of alphabet characters (clipped to start at
    /// <paramref name="from"/>) at least <c>minimumLength</c> long that holds a required character.
    /// </summary>
    /// <returns>The run's bounds, or (-1, -1) when there is none.</returns>
    private (int Start, int End) NextRun(string text, int from)
    {
        var span = text.AsSpan();
        if (required is not null)
        {
            while (from < span.Length)
            {
                var hit = span[from..].IndexOfAny(required);
                if (hit < 0)
                {
                    break;
                }

                var (start, end) = RunAround(span, from, hit + from);
                if (end - start >= minimumLength)
                {
                    return (start, end);
                }

                from = end + 1;
            }

            return (-1, -1);
        }

        // Any run of at least minimumLength characters starting at or after `from` covers one of the positions
        // from + minimumLength - 1, from + 2 * minimumLength - 1, ...
        var probe = from + minimumLength - 1;
        while (probe < span.Length)
        {
            if (!alphabet.Contains(span[probe]))
            {
                from = probe + 1;
                probe = from + minimumLength - 1;
                continue;
            }

            var (start, end) = RunAround(span, from, probe);
            if (end - start >= minimumLength)
            {
                return (start, end);
            }

            from = end + 1;
            probe = from + minimumLength - 1;
        }

        return (-1, -1);
    }

    /// <summary>The maximal run of alphabet characters around <paramref name="at"/> (an alphabet character), not starting before <paramref name="from"/>.</summary>
    private (int Start, int End) RunAround(ReadOnlySpan<char> span, int from, int at)
    {
        var before = span[from..at].LastIndexOfAnyExcept(alphabet);
        var after = span[at..].IndexOfAnyExcept(alphabet);
        return (before < 0 ? from : from + before + 1, after < 0 ? span.Length : at + after);
    }
}
