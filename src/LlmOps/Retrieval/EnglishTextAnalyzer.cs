using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace LlmOps.Retrieval;

/// <summary>
/// The default English analyzer: Unicode NFKC normalisation, word tokenization, English possessive removal,
/// lower-casing, stopword removal and the Porter stemmer. It reproduces the chain of Lucene's <c>EnglishAnalyzer</c>
/// (standard tokenizer, possessive filter, lower case, the 33 English stopwords, Porter stemming).
/// </summary>
/// <remarks>
/// <para>
/// <b>Why our own code rather than Lucene.Net.Analysis.Common.</b> The Porter algorithm is short, published and
/// frozen, and Lucene.Net 4.8 is still a beta whose analysis chain allocates a token-attribute graph per stream and
/// relies on reflection (trimming and AOT warnings in a core package that should have neither). This analyzer
/// allocates nothing per token, and a quality check compares its stems with Lucene's <c>PorterStemmer</c> word for
/// word on the SciFact vocabulary.
/// </para>
/// <para>
/// <b>Tokens.</b> A token is a run of letters, digits and combining marks; an apostrophe between two letters
/// (<c>don't</c>) and a point or comma between two digits (<c>2.5</c>, <c>10,000</c>) stay inside it, as in
/// Unicode word segmentation (UAX #29). Han ideographs and Hiragana are one token per character. Tokens longer than
/// 255 characters are dropped. The type is immutable and thread-safe.
/// </para>
/// </remarks>
public sealed class EnglishTextAnalyzer : ITextAnalyzer
{
    /// <summary>The longest token kept, in UTF-16 code units: 255 (Lucene's default).</summary>
    public const int MaxTokenLength = 255;

    private readonly HashSet<string> _stopWords;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _stopLookup;
    private readonly bool _stem;

    /// <summary>Initializes a new instance of the <see cref="EnglishTextAnalyzer"/> class.</summary>
    /// <param name="stopWords">The stopwords (lower case); <see cref="DefaultStopWords"/> when <see langword="null"/>, none when empty.</param>
    /// <param name="stem">Whether to apply the Porter stemmer.</param>
    public EnglishTextAnalyzer(IEnumerable<string>? stopWords = null, bool stem = true)
    {
        _stopWords = new HashSet<string>(stopWords ?? DefaultStopWords, StringComparer.Ordinal);
        _stopLookup = _stopWords.GetAlternateLookup<ReadOnlySpan<char>>();
        _stem = stem;
        Name = stopWords is null && stem ? "english-porter-v1" : $"english-v1(stem={stem},stop={_stopWords.Count})";
    }

    /// <summary>
    /// Gets Lucene's English stopword set (33 words: articles, conjunctions, common prepositions and pronouns,
    /// including <c>no</c> and <c>not</c>).
    /// </summary>
    public static IReadOnlyList<string> DefaultStopWords { get; } =
    [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
        "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
    ];

    /// <summary>Gets the shared default instance (default stopwords, stemming on).</summary>
    public static EnglishTextAnalyzer Default { get; } = new();

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="sink"/> is <see langword="null"/>.</exception>
    public void Analyze(ReadOnlySpan<char> text, ITermSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (!Ascii.IsValid(text) && !text.IsNormalized(NormalizationForm.FormKC))
        {
            AnalyzeNormalized(text.ToString().Normalize(NormalizationForm.FormKC), sink);
            return;
        }

        AnalyzeNormalized(text, sink);
    }

    private void AnalyzeNormalized(ReadOnlySpan<char> text, ITermSink sink)
    {
        Span<char> buffer = stackalloc char[MaxTokenLength + 2];
        int i = 0;
        while (i < text.Length)
        {
            Kind kind = Classify(text, i, out int width);
            if (kind == Kind.Other)
            {
                i += width;
                continue;
            }

            if (kind == Kind.Ideograph)
            {
                // Ideographs have no case and are never stopwords or stemmed.
                text.Slice(i, width).CopyTo(buffer);
                sink.Add(buffer[..width]);
                i += width;
                continue;
            }

            int len = 0;
            bool tooLong = false;
            Kind previous = kind;
            while (i < text.Length)
            {
                Kind k = Classify(text, i, out width);
                if (k is Kind.Letter or Kind.Digit or Kind.Mark)
                {
                    previous = k == Kind.Mark ? previous : k;
                }
                else if (IsJoiner(text[i], previous, text, i + 1))
                {
                    width = 1;
                }
                else
                {
                    break;
                }

                if (len + width <= MaxTokenLength)
                {
                    LowerInto(text.Slice(i, width), buffer.Slice(len, width));
                    len += width;
                }
                else
                {
                    tooLong = true;
                }

                i += width;
            }

            if (!tooLong)
            {
                Process(buffer[..len], sink);
            }

        }
    }

    private void Process(Span<char> token, ITermSink sink)
    {
        // English possessive: a trailing 's (the apostrophe was normalised to ' while lower-casing).
        if (token.Length >= 2 && token[^1] == 's' && token[^2] == '\'')
        {
            token = token[..^2];
        }

        if (token.IsEmpty || _stopLookup.Contains(token))
        {
            return;
        }

        if (_stem)
        {
            token = token[..PorterStemmer.Stem(token)];
        }

        sink.Add(token);
    }

    /// <summary>An apostrophe between letters, or a point or comma between digits, continues a token.</summary>
    private static bool IsJoiner(char c, Kind previous, ReadOnlySpan<char> text, int next)
    {
        if (next >= text.Length)
        {
            return false;
        }

        Kind following = Classify(text, next, out _);
        return c switch
        {
            '\'' or '\u2019' or '\uFF07' => previous == Kind.Letter && following == Kind.Letter,
            '.' or ',' => previous == Kind.Digit && following == Kind.Digit,
            _ => false,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LowerInto(ReadOnlySpan<char> source, Span<char> destination)
    {
        if (source.Length == 1)
        {
            char c = source[0];
            destination[0] = c switch
            {
                >= 'A' and <= 'Z' => (char)(c | 0x20),
                < (char)0x80 => c,
                '\u2019' or '\uFF07' => '\'',
                _ => char.ToLowerInvariant(c),
            };
            return;
        }

        // A surrogate pair: lower-case the scalar value.
        Rune rune = Rune.ToLowerInvariant(new Rune(source[0], source[1]));
        rune.EncodeToUtf16(destination);
    }

    // ASCII is classified inline (most text is ASCII); the Unicode tables are consulted out of line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Kind Classify(ReadOnlySpan<char> text, int index, out int width)
    {
        char c = text[index];
        width = 1;
        if (c < 0x80)
        {
            return c switch
            {
                >= 'a' and <= 'z' or >= 'A' and <= 'Z' => Kind.Letter,
                >= '0' and <= '9' => Kind.Digit,
                _ => Kind.Other,
            };
        }

        return ClassifyNonAscii(text, index, out width);
    }

    private static Kind ClassifyNonAscii(ReadOnlySpan<char> text, int index, out int width)
    {
        char c = text[index];
        width = 1;
        Rune rune;
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            rune = new Rune(c, text[index + 1]);
            width = 2;
        }
        else if (char.IsSurrogate(c))
        {
            return Kind.Other;
        }
        else
        {
            rune = new Rune(c);
        }

        int v = rune.Value;
        if (v is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2FFFF or >= 0xF900 and <= 0xFAFF or >= 0x3040 and <= 0x309F)
        {
            return Kind.Ideograph;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Kind.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Kind.Digit,
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => Kind.Mark,
            _ => Kind.Other,
        };
    }

    private enum Kind
    {
        Other,
        Letter,
        Digit,
        Mark,
        Ideograph,
    }
}
