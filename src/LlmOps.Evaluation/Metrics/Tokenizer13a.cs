namespace LlmOps.Evaluation.Metrics;

/// <summary>
/// The <c>13a</c> tokenizer of sacrebleu 2.x (<c>sacrebleu/tokenizers/tokenizer_13a.py</c> with
/// <c>tokenizer_re.py</c>), itself the tokenisation of the NIST <c>mteval-v13a.pl</c> script and BLEU's default in
/// sacrebleu. Reimplemented from the published rules; the same input gives the same tokens.
/// </summary>
/// <remarks>
/// The rules, applied in order: drop <c>&lt;skipped&gt;</c>; join hyphenated line breaks; turn line breaks into
/// spaces; unescape <c>&amp;quot;</c>, <c>&amp;amp;</c>, <c>&amp;lt;</c>, <c>&amp;gt;</c>; split off the ASCII
/// punctuation <c>{|}~[\]^_`</c>, space to <c>&amp;</c>, <c>(</c> to <c>+</c>, <c>:</c> to <c>@</c> and <c>/</c>;
/// split a period or comma unless it sits between digits; split a dash after a digit; split on whitespace.
/// The apostrophe stays inside its word.
/// </remarks>
public static class Tokenizer13a
{
    [ThreadStatic]
    private static Scratch? t_scratch;

    /// <summary>Tokenizes <paramref name="text"/> the way sacrebleu's <c>13a</c> tokenizer does.</summary>
    /// <param name="text">The segment to tokenize.</param>
    /// <returns>The tokens, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        ReadOnlySpan<char> tokenized = Run(text, lowercase: false);
        foreach (Range range in tokenized.SplitAny(' '))
        {
            if (range.End.Value > range.Start.Value)
            {
                tokens.Add(new string(tokenized[range]));
            }
        }

        return tokens;
    }

    /// <summary>Appends the ids of the tokens of <paramref name="text"/> to <paramref name="units"/>.</summary>
    internal static void TokenizeToIds(string text, bool lowercase, TokenVocabulary vocabulary, IntBuffer units)
    {
        ReadOnlySpan<char> tokenized = Run(text, lowercase);
        int start = -1;
        for (int i = 0; i <= tokenized.Length; i++)
        {
            bool space = i == tokenized.Length || tokenized[i] == ' ';
            if (space)
            {
                if (start >= 0)
                {
                    units.Add(vocabulary.GetId(tokenized[start..i]));
                    start = -1;
                }
            }
            else if (start < 0)
            {
                start = i;
            }
        }
    }

    /// <summary>
    /// Runs the rules and returns text whose tokens are separated by single ASCII spaces (every whitespace character
    /// of the result is normalised to a space, as Python's <c>' '.join(line.split())</c> does).
    /// </summary>
    private static ReadOnlySpan<char> Run(string text, bool lowercase)
    {
        Scratch scratch = t_scratch ??= new Scratch();
        string line = lowercase ? text.ToLowerInvariant() : text;

        // sacrebleu's BLEU strips trailing whitespace before tokenizing (BLEU._preprocess_segment).
        line = PythonText.TrimEnd(line).Length == line.Length ? line : new string(PythonText.TrimEnd(line));

        if (line.Contains('<', StringComparison.Ordinal))
        {
            line = line.Replace("<skipped>", string.Empty, StringComparison.Ordinal);
        }

        if (line.Contains('\n', StringComparison.Ordinal))
        {
            line = line.Replace("-\n", string.Empty, StringComparison.Ordinal).Replace('\n', ' ');
        }

        if (line.Contains('&', StringComparison.Ordinal))
        {
            line = line.Replace("&quot;", "\"", StringComparison.Ordinal)
                .Replace("&amp;", "&", StringComparison.Ordinal)
                .Replace("&lt;", "<", StringComparison.Ordinal)
                .Replace("&gt;", ">", StringComparison.Ordinal);
        }

        // Rule 1: pad the punctuation class with spaces. The line is padded with a space on both sides first
        // (it does not change the tokens, only what the two-character rules below can see at the edges).
        char[] a = scratch.Ensure(ref scratch.A, (line.Length * 3) + 2);
        int n = 0;
        a[n++] = ' ';
        foreach (char c in line)
        {
            if (IsPunctuation(c))
            {
                a[n++] = ' ';
                a[n++] = c;
                a[n++] = ' ';
            }
            else
            {
                a[n++] = c;
            }
        }

        a[n++] = ' ';

        // Rule 2: ([^0-9])([\.,]) -> "\1 \2 " (left to right, non-overlapping, as re.sub scans).
        char[] b = scratch.Ensure(ref scratch.B, (n * 2) + 2);
        int m = 0;
        for (int i = 0; i < n; i++)
        {
            if (i + 1 < n && !IsDigit(a[i]) && (a[i + 1] == '.' || a[i + 1] == ','))
            {
                b[m++] = a[i];
                b[m++] = ' ';
                b[m++] = a[i + 1];
                b[m++] = ' ';
                i++;
            }
            else
            {
                b[m++] = a[i];
            }
        }

        // Rule 3: ([\.,])([^0-9]) -> " \1 \2".
        a = scratch.Ensure(ref scratch.A, (m * 2) + 2);
        n = 0;
        for (int i = 0; i < m; i++)
        {
            if (i + 1 < m && (b[i] == '.' || b[i] == ',') && !IsDigit(b[i + 1]))
            {
                a[n++] = ' ';
                a[n++] = b[i];
                a[n++] = ' ';
                a[n++] = b[i + 1];
                i++;
            }
            else
            {
                a[n++] = b[i];
            }
        }

        // Rule 4: ([0-9])(-) -> "\1 \2 ", then every whitespace character becomes a separator.
        b = scratch.Ensure(ref scratch.B, (n * 2) + 2);
        m = 0;
        for (int i = 0; i < n; i++)
        {
            char c = a[i];
            if (i + 1 < n && IsDigit(c) && a[i + 1] == '-')
            {
                b[m++] = c;
                b[m++] = ' ';
                b[m++] = '-';
                b[m++] = ' ';
                i++;
            }
            else
            {
                b[m++] = PythonText.IsWhiteSpace(c) ? ' ' : c;
            }
        }

        return b.AsSpan(0, m);
    }

    private static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    // [\{-\~\[-\` -\&\(-\+\:-\@\/]
    private static bool IsPunctuation(char c) =>
        (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&')
        || (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';

    private sealed class Scratch
    {
        public char[] A = new char[256];
        public char[] B = new char[256];

        public char[] Ensure(ref char[] buffer, int length)
        {
            if (buffer.Length < length)
            {
                buffer = new char[Math.Max(length, buffer.Length * 2)];
            }

            return buffer;
        }
    }
}
