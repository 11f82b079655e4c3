namespace LlmOps.Caching;

/// <summary>
/// Reads the words of a question the way the cache's guards (<see cref="SemanticCacheFingerprint"/>) and its pair check
/// (<see cref="CachePairTokenizer"/>) both see them: runs of letters and digits, with inner apostrophes ("don't") and a
/// '.', ',' or ':' between digits kept inside the word (12:30, 1,000, 2.5). A word after '.', '?', '!', ':', ';' or a
/// line break (or at the start) is at a sentence start.
/// </summary>
internal ref struct CacheWordReader
{
    private readonly ReadOnlySpan<char> _text;
    private bool _sentenceStart;

    /// <summary>Initializes a reader positioned before the first word of <paramref name="text"/>.</summary>
    public CacheWordReader(ReadOnlySpan<char> text)
    {
        _text = text;
        _sentenceStart = true;
    }

    /// <summary>Gets the index of the current word's first character.</summary>
    public int Start { get; private set; }

    /// <summary>Gets the index just past the current word.</summary>
    public int End { get; private set; }

    /// <summary>Gets a value indicating whether the current word holds a digit.</summary>
    public bool HasDigit { get; private set; }

    /// <summary>Gets a value indicating whether the current word starts a sentence.</summary>
    public bool AtSentenceStart { get; private set; }

    /// <summary>Gets the current word.</summary>
    public readonly ReadOnlySpan<char> Word => _text[Start..End];

    /// <summary>Advances to the next word.</summary>
    /// <returns><see langword="true"/> when a word was read; <see langword="false"/> at the end of the text.</returns>
    public bool MoveNext()
    {
        var span = _text;
        var i = End;
        while (i < span.Length && !char.IsLetterOrDigit(span[i]))
        {
            if (span[i] is '.' or '?' or '!' or ':' or '\n' or ';')
            {
                _sentenceStart = true;
            }

            i++;
        }

        if (i == span.Length)
        {
            Start = End = i;
            return false;
        }

        var start = i;
        var hasDigit = false;
        while (i < span.Length)
        {
            var ch = span[i];
            if (char.IsLetterOrDigit(ch))
            {
                hasDigit |= char.IsDigit(ch);
                i++;
            }
            else if ((ch is '\'' or '\u2019') && i + 1 < span.Length && char.IsLetter(span[i + 1]))
            {
                i++;
            }
            else if ((ch is '.' or ',' or ':') && i > start && char.IsDigit(span[i - 1]) && i + 1 < span.Length && char.IsDigit(span[i + 1]))
            {
                i++;
            }
            else
            {
                break;
            }
        }

        Start = start;
        End = i;
        HasDigit = hasDigit;
        AtSentenceStart = _sentenceStart;
        _sentenceStart = false;
        return true;
    }
}
