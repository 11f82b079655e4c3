using System.IO.Hashing;
using System.Runtime.InteropServices;
using LlmOps.Metering;

namespace LlmOps.Retrieval;

/// <summary>
/// Splits documents into token-bounded chunks on sentence and paragraph boundaries, Markdown-heading-aware, and
/// keeps every chunk's exact character offsets in the source text.
/// </summary>
/// <remarks>
/// <para>
/// <b>Units.</b> The text is cut into sections (Markdown headings start a new one; plain text is one section), the
/// sections into blocks (blank lines; in Markdown also list items, table rows, quotes and fenced code blocks, which
/// are never split inside), and the blocks into sentences. A sentence ends at <c>.</c>, <c>!</c> or <c>?</c>
/// (closing quotes and brackets included) followed by white space and a character that is not a lower-case letter,
/// unless the word before the point is a common abbreviation (<c>e.g.</c>, <c>Dr.</c>, <c>Fig.</c>…) or an initial.
/// </para>
/// <para>
/// <b>Packing.</b> Sentences are packed greedily into chunks of at most <see cref="DocumentChunkerOptions.MaxTokens"/>
/// tokens, counted per sentence with the metering <see cref="TokenCounter"/> (so a chunk's count may differ by a
/// token at a sentence join). A chunk never crosses a section. Each new chunk of a section starts with the trailing
/// whole sentences of the previous one, up to <see cref="DocumentChunkerOptions.OverlapTokens"/>. A sentence longer
/// than the limit is cut at word boundaries. Chunk text is trimmed of surrounding white space.
/// </para>
/// <para>The type is immutable and thread-safe.</para>
/// </remarks>
public sealed class DocumentChunker
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "cf", "fig", "figs", "al", "no",
        "nos", "vol", "approx", "ca", "eq", "eqs", "ref", "refs", "inc", "ltd", "co", "corp", "dept", "univ", "jan", "feb",
        "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "p", "pp", "ed", "eds", "resp", "viz",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> AbbreviationLookup =
        Abbreviations.GetAlternateLookup<ReadOnlySpan<char>>();

    private readonly TokenCounter _counter;
    private readonly int _maxTokens;
    private readonly int _overlapTokens;
    private readonly string? _modelId;
    private readonly TokenEncoding _encoding;
    private readonly bool _includeContext;

    /// <summary>Initializes a new instance of the <see cref="DocumentChunker"/> class.</summary>
    /// <param name="options">The options; defaults when <see langword="null"/>. They are copied.</param>
    /// <param name="tokenCounter">The token counter; a new one when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid (the message lists each problem).</exception>
    public DocumentChunker(DocumentChunkerOptions? options = null, TokenCounter? tokenCounter = null)
    {
        options ??= new DocumentChunkerOptions();
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _counter = tokenCounter ?? new TokenCounter();
        _maxTokens = options.MaxTokens;
        _overlapTokens = options.OverlapTokens;
        _modelId = options.TokenizerModelId;
        _encoding = TokenCounter.GetEncoding(_modelId);
        _includeContext = options.IncludeContextInIndexText;
    }

    /// <summary>Splits a document into chunks, in document order.</summary>
    /// <param name="document">The document.</param>
    /// <returns>The chunks; empty when the text holds nothing but white space.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="document"/> is <see langword="null"/>.</exception>
    public IReadOnlyList<DocumentChunk> Chunk(RetrievalDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        string text = document.Text;
        var chunks = new List<DocumentChunk>();
        var units = new List<Unit>();
        var current = new List<Unit>();
        foreach (Section section in document.Format == DocumentFormat.Markdown
                     ? MarkdownSections(text)
                     : [new Section([], 0, text.Length)])
        {
            units.Clear();
            SplitUnits(text, section.Start, section.End, document.Format == DocumentFormat.Markdown, units);
            Pack(document, section.Path, units, current, chunks);
        }

        return chunks;
    }

    /// <summary>The sentence and block units of a text, as (start, end) offsets; for tests.</summary>
    internal IReadOnlyList<(int Start, int End)> Units(string text, bool markdown)
    {
        var units = new List<Unit>();
        SplitUnits(text, 0, text.Length, markdown, units);
        return units.ConvertAll(u => (u.Start, u.End));
    }

    private void Pack(RetrievalDocument document, string[] path, List<Unit> units, List<Unit> current, List<DocumentChunk> chunks)
    {
        current.Clear();
        int currentTokens = 0;
        foreach (Unit unit in units)
        {
            if (unit.Tokens > _maxTokens)
            {
                Emit(document, path, current, chunks);
                current.Clear();
                currentTokens = 0;
                foreach (Unit piece in CutLongUnit(document.Text, unit))
                {
                    current.Add(piece);
                    Emit(document, path, current, chunks);
                    current.Clear();
                }

                continue;
            }

            if (currentTokens + unit.Tokens > _maxTokens && current.Count > 0)
            {
                Emit(document, path, current, chunks);
                int keep = 0;
                int overlap = 0;
                while (keep < current.Count - 1 && overlap + current[current.Count - 1 - keep].Tokens <= _overlapTokens)
                {
                    overlap += current[current.Count - 1 - keep].Tokens;
                    keep++;
                }

                current.RemoveRange(0, current.Count - keep);
                currentTokens = overlap;
                while (current.Count > 0 && currentTokens + unit.Tokens > _maxTokens)
                {
                    currentTokens -= current[0].Tokens;
                    current.RemoveAt(0);
                }
            }

            current.Add(unit);
            currentTokens += unit.Tokens;
        }

        Emit(document, path, current, chunks);
    }

    private void Emit(RetrievalDocument document, string[] path, List<Unit> units, List<DocumentChunk> chunks)
    {
        if (units.Count == 0)
        {
            return;
        }

        int start = units[0].Start;
        int end = units[^1].End;
        int tokens = 0;
        foreach (Unit u in units)
        {
            tokens += u.Tokens;
        }

        string body = document.Text.Substring(start, end - start);
        string indexText = body;
        if (_includeContext && (document.Title is { Length: > 0 } || path.Length > 0))
        {
            string context = path.Length == 0
                ? document.Title!
                : document.Title is { Length: > 0 } title ? title + "\n" + string.Join(" > ", path) : string.Join(" > ", path);
            indexText = context + "\n\n" + body;
        }

        string hash = XxHash64.HashToUInt64(MemoryMarshal.AsBytes(indexText.AsSpan())).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
        chunks.Add(new DocumentChunk(document, chunks.Count, start, end - start, path, indexText, tokens, hash, _encoding));
    }

    private int Count(string text, int start, int end) => _counter.CountTokens(text.AsSpan(start, end - start), _modelId);

    /// <summary>Cuts a unit longer than the limit at word boundaries (at characters, for a single overlong word).</summary>
    private IEnumerable<Unit> CutLongUnit(string text, Unit unit)
    {
        int pieceStart = unit.Start;
        int pieceTokens = 0;
        int i = unit.Start;
        while (i < unit.End)
        {
            // The next word with the white space before it.
            int wordEnd = i;
            while (wordEnd < unit.End && char.IsWhiteSpace(text[wordEnd]))
            {
                wordEnd++;
            }

            while (wordEnd < unit.End && !char.IsWhiteSpace(text[wordEnd]))
            {
                wordEnd++;
            }

            int wordTokens = Count(text, i, wordEnd);
            if (pieceTokens + wordTokens > _maxTokens && pieceTokens > 0)
            {
                yield return Trimmed(text, pieceStart, i, pieceTokens);
                pieceStart = i;
                pieceTokens = 0;
            }

            if (wordTokens > _maxTokens)
            {
                // One word longer than a chunk (a URL, a base64 blob): cut it by characters.
                int s = i;
                while (s < wordEnd)
                {
                    int e = Math.Min(wordEnd, s + _maxTokens);
                    int t = Count(text, s, e);
                    while (t > _maxTokens && e - s > 1)
                    {
                        e = s + ((e - s) / 2);
                        t = Count(text, s, e);
                    }

                    if (char.IsHighSurrogate(text[e - 1]) && e < wordEnd && e - s > 1)
                    {
                        e--;
                        t = Count(text, s, e);
                    }

                    yield return Trimmed(text, s, e, t);
                    s = e;
                }

                pieceStart = wordEnd;
                pieceTokens = 0;
            }
            else
            {
                pieceTokens += wordTokens;
            }

            i = wordEnd;
        }

        if (pieceTokens > 0)
        {
            yield return Trimmed(text, pieceStart, unit.End, pieceTokens);
        }
    }

    private static Unit Trimmed(string text, int start, int end, int tokens)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return new Unit(start, end, tokens);
    }

    private void AddUnit(string text, int start, int end, List<Unit> units)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        if (end > start)
        {
            units.Add(new Unit(start, end, Count(text, start, end)));
        }
    }

    /// <summary>Splits [start, end) into blocks (paragraphs; Markdown list items, rows, quotes, code) and sentences.</summary>
    private void SplitUnits(string text, int start, int end, bool markdown, List<Unit> units)
    {
        int blockStart = start;
        int line = start;
        bool inFence = false;
        char fenceChar = '\0';
        while (line < end)
        {
            int lineEnd = text.IndexOf('\n', line, end - line);
            int next = lineEnd < 0 ? end : lineEnd + 1;
            lineEnd = lineEnd < 0 ? end : lineEnd;
            ReadOnlySpan<char> content = text.AsSpan(line, lineEnd - line);
            ReadOnlySpan<char> trimmed = content.TrimStart();
            bool blank = content.IsWhiteSpace();
            if (markdown && IsFence(trimmed, out char fc) && (!inFence || fc == fenceChar))
            {
                if (!inFence)
                {
                    SplitSentences(text, blockStart, line, units);
                    blockStart = line;
                    inFence = true;
                    fenceChar = fc;
                }
                else
                {
                    AddUnit(text, blockStart, lineEnd, units);
                    blockStart = next;
                    inFence = false;
                }
            }
            else if (inFence)
            {
                // Code is kept whole; only its end matters.
            }
            else if (blank)
            {
                SplitSentences(text, blockStart, line, units);
                blockStart = next;
            }
            else if (markdown && line > blockStart && StartsMarkdownBlock(trimmed))
            {
                SplitSentences(text, blockStart, line, units);
                blockStart = line;
            }

            line = next;
        }

        if (inFence)
        {
            AddUnit(text, blockStart, end, units);
        }
        else
        {
            SplitSentences(text, blockStart, end, units);
        }
    }

    private static bool IsFence(ReadOnlySpan<char> trimmed, out char fenceChar)
    {
        fenceChar = trimmed.Length >= 3 ? trimmed[0] : '\0';
        return fenceChar is '`' or '~' && trimmed[1] == fenceChar && trimmed[2] == fenceChar;
    }

    private static bool StartsMarkdownBlock(ReadOnlySpan<char> trimmed)
    {
        if (trimmed.IsEmpty)
        {
            return false;
        }

        char c = trimmed[0];
        if (c is '|' or '>')
        {
            return true;
        }

        if (c is '-' or '*' or '+')
        {
            return trimmed.Length > 1 && trimmed[1] is ' ' or '\t';
        }

        int digits = 0;
        while (digits < trimmed.Length && digits < 9 && char.IsAsciiDigit(trimmed[digits]))
        {
            digits++;
        }

        return digits > 0 && digits + 1 < trimmed.Length && trimmed[digits] is '.' or ')' && trimmed[digits + 1] is ' ' or '\t';
    }

    private void SplitSentences(string text, int start, int end, List<Unit> units)
    {
        int sentenceStart = start;
        for (int i = start; i < end; i++)
        {
            char c = text[i];
            if (c is not ('.' or '!' or '?'))
            {
                continue;
            }

            int j = i + 1;
            while (j < end && text[j] is '"' or '\'' or ')' or ']' or '\u201D' or '\u2019' or '.' or '!' or '?')
            {
                j++;
            }

            if (j >= end || !char.IsWhiteSpace(text[j]))
            {
                i = j - 1;
                continue;
            }

            int k = j;
            while (k < end && char.IsWhiteSpace(text[k]))
            {
                k++;
            }

            if (k >= end)
            {
                break;
            }

            if (char.IsLower(text[k]) || (c == '.' && IsAbbreviation(text, start, i)))
            {
                i = j - 1;
                continue;
            }

            AddUnit(text, sentenceStart, j, units);
            sentenceStart = k;
            i = k - 1;
        }

        AddUnit(text, sentenceStart, end, units);
    }

    /// <summary>True when the word that ends at the point <paramref name="dot"/> is a known abbreviation or an initial.</summary>
    private static bool IsAbbreviation(string text, int blockStart, int dot)
    {
        int w = dot;
        while (w > blockStart && !char.IsWhiteSpace(text[w - 1]) && text[w - 1] is not ('(' or '[' or '"'))
        {
            w--;
        }

        ReadOnlySpan<char> word = text.AsSpan(w, dot - w);
        if (word.Length == 1 && char.IsUpper(word[0]))
        {
            return true;
        }

        return AbbreviationLookup.Contains(word);
    }

    private static List<Section> MarkdownSections(string text)
    {
        var sections = new List<Section>();
        var stack = new string?[6];
        string[] path = [];
        int bodyStart = 0;
        int line = 0;
        int previousLine = -1;
        bool previousBlank = true;
        bool previousStartsParagraph = false;
        bool inFence = false;
        char fenceChar = '\0';
        while (line < text.Length)
        {
            int lineEnd = text.IndexOf('\n', line);
            int next = lineEnd < 0 ? text.Length : lineEnd + 1;
            lineEnd = lineEnd < 0 ? text.Length : lineEnd;
            ReadOnlySpan<char> content = text.AsSpan(line, lineEnd - line).TrimEnd('\r');
            int indent = content.Length - content.TrimStart(' ').Length;
            ReadOnlySpan<char> trimmed = content.TrimStart();
            bool blank = trimmed.IsEmpty;
            int level = 0;
            string? heading = null;
            int headingLineStart = line;
            if (IsFence(trimmed, out char fc) && indent <= 3 && (!inFence || fc == fenceChar))
            {
                inFence = !inFence;
                fenceChar = fc;
            }
            else if (!inFence && indent <= 3)
            {
                if (!TryAtxHeading(trimmed, out level, out heading) && previousStartsParagraph && IsSetextUnderline(trimmed, out level))
                {
                    headingLineStart = previousLine;
                    ReadOnlySpan<char> prev = text.AsSpan(previousLine, line - previousLine).Trim();
                    heading = prev.ToString();
                }
            }

            if (heading is not null)
            {
                if (headingLineStart > bodyStart)
                {
                    sections.Add(new Section(path, bodyStart, headingLineStart));
                }

                stack[level - 1] = heading;
                for (int l = level; l < stack.Length; l++)
                {
                    stack[l] = null;
                }

                var parts = new List<string>(6);
                foreach (string? s in stack)
                {
                    if (s is { Length: > 0 })
                    {
                        parts.Add(s);
                    }
                }

                path = [.. parts];
                bodyStart = next;
                previousBlank = true;
                previousStartsParagraph = false;
            }
            else
            {
                previousStartsParagraph = !blank && previousBlank && !inFence;
                previousBlank = blank;
            }

            previousLine = line;
            line = next;
        }

        if (text.Length > bodyStart)
        {
            sections.Add(new Section(path, bodyStart, text.Length));
        }

        return sections;
    }

    private static bool TryAtxHeading(ReadOnlySpan<char> trimmed, out int level, out string? heading)
    {
        level = 0;
        heading = null;
        while (level < trimmed.Length && trimmed[level] == '#')
        {
            level++;
        }

        if (level is 0 or > 6 || (level < trimmed.Length && trimmed[level] is not (' ' or '\t')))
        {
            return false;
        }

        ReadOnlySpan<char> rest = trimmed[level..].Trim();
        ReadOnlySpan<char> withoutClosing = rest.TrimEnd('#');
        if (withoutClosing.Length < rest.Length && (withoutClosing.IsEmpty || withoutClosing[^1] is ' ' or '\t'))
        {
            rest = withoutClosing.TrimEnd();
        }

        heading = rest.ToString();
        return true;
    }

    private static bool IsSetextUnderline(ReadOnlySpan<char> trimmed, out int level)
    {
        ReadOnlySpan<char> t = trimmed.TrimEnd();
        level = 0;
        if (t.IsEmpty || t[0] is not ('=' or '-') || t.ContainsAnyExcept(t[0]))
        {
            return false;
        }

        level = t[0] == '=' ? 1 : 2;
        return true;
    }

    private readonly record struct Section(string[] Path, int Start, int End);

    private readonly record struct Unit(int Start, int End, int Tokens);
}
