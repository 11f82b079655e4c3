namespace LlmOps.Evaluation.Metrics;

/// <summary>
/// The tokenizer of Google's <c>rouge-score</c> 0.1.2 (<c>rouge_score/tokenize.py</c>): lower-case; every run of
/// characters outside <c>[a-z0-9]</c> becomes a separator; optionally stem tokens longer than three letters with
/// <see cref="PorterStemmer"/> (NLTK's, as <c>rouge-score</c> uses it).
/// </summary>
/// <remarks>Non-ASCII letters are separators, as in <c>rouge-score</c>: it is an English tokenizer.</remarks>
public static class RougeTokenizer
{
    /// <summary>Tokenizes <paramref name="text"/> as <c>rouge-score</c>'s default tokenizer does.</summary>
    /// <param name="text">The text.</param>
    /// <param name="stem">Whether to stem tokens longer than three characters (<c>use_stemmer=True</c>).</param>
    /// <returns>The tokens, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static IReadOnlyList<string> Tokenize(string text, bool stem = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        Tokenize(text, stem, tokens);
        return tokens;
    }

    internal static void Tokenize(ReadOnlySpan<char> text, bool stem, List<string> tokens)
    {
        Span<char> buffer = stackalloc char[64];
        int length = 0;
        char[]? rented = null;
        for (int i = 0; i <= text.Length; i++)
        {
            char c = i < text.Length ? Lower(text, i) : ' ';
            bool dottedCapitalI = c == '\u0130';
            if (dottedCapitalI)
            {
                // "İ".lower() is "i" followed by U+0307, which ends the token.
                c = 'i';
            }

            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            {
                if (length == buffer.Length)
                {
                    char[] bigger = new char[buffer.Length * 2];
                    buffer.CopyTo(bigger);
                    rented = bigger;
                    buffer = bigger;
                }

                buffer[length++] = c;
                if (!dottedCapitalI)
                {
                    continue;
                }
            }

            if (length > 0)
            {
                tokens.Add(TokenCache.Get(buffer[..length], stem));
                length = 0;
            }
        }

        GC.KeepAlive(rented);
    }

    /// <summary>
    /// Per-thread cache from a token's text to the token (stemmed when asked): words repeat, so most tokens are neither
    /// allocated nor stemmed again. Bounded: cleared when it reaches 65,536 entries.
    /// </summary>
    private sealed class TokenCache
    {
        private const int MaxEntries = 65_536;

        [ThreadStatic]
        private static TokenCache? t_plain;

        [ThreadStatic]
        private static TokenCache? t_stemmed;

        private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        private TokenCache() => _lookup = _tokens.GetAlternateLookup<ReadOnlySpan<char>>();

        public static string Get(ReadOnlySpan<char> text, bool stem)
        {
            TokenCache cache = stem ? (t_stemmed ??= new TokenCache()) : (t_plain ??= new TokenCache());
            if (cache._lookup.TryGetValue(text, out string? token))
            {
                return token;
            }

            if (cache._tokens.Count >= MaxEntries)
            {
                cache._tokens.Clear();
            }

            string raw = new(text);
            token = stem && raw.Length > 3 ? PorterStemmer.Stem(raw) : raw;
            cache._tokens[raw] = token;
            return token;
        }
    }

    // Python's str.lower() maps only ASCII letters, U+0130 (to "i" plus a combining dot, which is a separator) and the
    // Kelvin sign U+212A into [a-z0-9]; every other character is either ASCII already or becomes a separator.
    private static char Lower(ReadOnlySpan<char> text, int i)
    {
        char c = text[i];
        if (c < 128)
        {
            return c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
        }

        return c switch
        {
            '\u212A' => 'k',
            '\u0130' => '\u0130',
            _ => ' ',
        };
    }
}
