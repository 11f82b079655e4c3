using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace LlmOps.Guardrails.Injection;

/// <summary>
/// Turns text into the views the injection grammar runs on, defeating trivial obfuscation: Unicode compatibility
/// forms, invisible characters, homoglyphs (Cyrillic and Greek look-alikes), diacritics, case, leetspeak digits,
/// punctuation and whitespace splitting, and base64-wrapped payloads.
/// </summary>
internal static class InjectionNormalizer
{

    private static readonly Dictionary<char, char> Homoglyphs = new()
    {
        ['а'] = 'a', ['е'] = 'e', ['о'] = 'o', ['р'] = 'p', ['с'] = 'c', ['у'] = 'y', ['х'] = 'x', ['і'] = 'i', ['ј'] = 'j',
        ['ѕ'] = 's', ['ԁ'] = 'd', ['ɡ'] = 'g', ['һ'] = 'h', ['ӏ'] = 'l', ['ո'] = 'n', ['ν'] = 'v', ['ο'] = 'o', ['α'] = 'a',
        ['ε'] = 'e', ['ι'] = 'i', ['κ'] = 'k', ['ρ'] = 'p', ['τ'] = 't', ['υ'] = 'u', ['χ'] = 'x', ['ѵ'] = 'v', ['ԝ'] = 'w',
        ['ɑ'] = 'a', ['ı'] = 'i', ['ꞇ'] = 't', ['ｓ'] = 's',
    };

    // After Homoglyphs: static fields initialise in order, and the table is built from it.
    private static readonly char[] AsciiFold = BuildAsciiFold();

    /// <summary>
    /// Words an attacker splits ("instruc tions", "for get") that the grammar needs whole. Tokens are rejoined only
    /// when the concatenation is one of these words, so ordinary text is left alone.
    /// </summary>
    private const int MaxJoined = 20;

    private static readonly HashSet<string> Vocabulary = new(StringComparer.Ordinal)
    {
        "ignore", "ignoring", "disregard", "forget", "override", "bypass", "discard", "abandon", "neglect", "dismiss",
        "previous", "prior", "above", "earlier", "preceding", "former", "original", "initial", "everything", "anything",
        "instructions", "instruction", "rules", "guidelines", "directions", "directives", "constraints", "restrictions",
        "limitations", "programming", "guardrails", "policies", "context", "configuration", "prompt", "system", "message",
        "reveal", "repeat", "display", "print", "output", "recite", "expose", "disclose", "dump", "leak", "verbatim",
        "hidden", "secret", "confidential", "internal", "developer", "unrestricted", "unfiltered", "uncensored",
        "jailbroken", "jailbreak", "filters", "pretend", "roleplay", "character", "simulate", "imagine", "behave",
        "become", "respond", "enabled", "activated", "amoral", "unethical", "ethics", "safety", "moderation", "freed",
        "liberated", "unlocked", "anweisungen", "vorherigen", "bisherigen", "ignoriere", "vergiss", "einschrankungen",
        "systemprompt", "instrucciones", "anteriores", "previas", "ignora", "olvida", "restricciones", "precedentes",
        "consignes", "ignorez", "oubliez", "ignorer", "oublie", "muestrame", "revela", "revele", "revelez", "sistema",
        "systeme", "anweisung", "cancelled", "canceled", "revoked", "directive", "policy", "orders", "preamble",
        "password", "persona", "regeln", "richtlinien", "vorgaben", "befehle", "reglas", "directrices", "regles",
        "directives", "anterieures", "precedente", "ignoriere", "ignorieren", "vergessen", "olvidate", "ignorez",
        "secret", "secreto", "secretas", "geheim", "geheimen", "verrate", "zeige", "muestra", "affiche", "montre",
        "restrictions", "assistant", "mode", "modus", "modo", "unbound", "ethical", "boundaries", "limits", "pretend",
        "content", "write", "reveal", "disregard", "void", "overriding", "instruktionen", "indicaciones", "ordenes",
        "normas", "politicas", "politiques", "ordres", "prompt", "sistema", "hidden", "versteckten", "ocultas",
        "cachees", "systemanweisungen", "entwicklermodus", "desarrollador", "developpeur",
        "follow", "attention", "starting", "given", "anymore", "obey", "unrestricted", "disclaimers", "assistant",
        "guidance", "criteria", "persona", "pretend", "roleplay", "filters", "delete", "forward", "terminal",
    };

    // Two-letter starts of the vocabulary words (a-z by a-z): most tokens fail this test and skip the lookups.
    private static readonly bool[] VocabularyPrefixes = BuildVocabularyPrefixes();

    // Three-letter starts of the vocabulary words (a-z cubed): a token of three letters or more that starts otherwise is
    // no proper prefix of one, so the hash lookup is skipped.
    private static readonly bool[] VocabularyStarts = BuildVocabularyStarts();

    // Every proper prefix of a vocabulary word: a token that is none of them cannot start a join.
    private static readonly HashSet<string> VocabularyProperPrefixes = BuildVocabularyProperPrefixes();

    // The shapes (length, 15 for 15 and longer; first and last letter) of the proper prefixes: a token of another shape
    // is none of them, which one table read tells without a hash lookup (issue 16).
    private const int LongestShape = 15;
    private static readonly ulong[] ProperPrefixShapes = BuildShapes(VocabularyProperPrefixes);

    // The shapes of the vocabulary words themselves.
    private static readonly ulong[] VocabularyShapes = BuildShapes(Vocabulary);

    // The proper prefixes of one to three letters, one bit each (see ShortKey).
    private const int ShortKeys = 26 + (26 * 26) + (26 * 26 * 26);
    private static readonly ulong[] ShortProperPrefixes = BuildShortProperPrefixes();

    [ThreadStatic]
    private static (int Start, int Length)[]? tokensForThread;

    private static readonly bool[] IsBase64 = BuildIsBase64();

    private static readonly SearchValues<char> Marks = SearchValues.Create("._*-~|+^#,");

    // The characters BlankQuoted treats as opening quotes.
    private static readonly SearchValues<char> QuoteOpeners = SearchValues.Create("\"“„«‘`'");

    /// <summary>Gets the spaced view: lower-case letters, words separated by single spaces.</summary>
    public static string Spaced(string text) => SpacedFromFolded(Folded(text));

    /// <summary>
    /// Gets the folded view: compatibility forms, invisible characters, homoglyphs, case, leetspeak and letter spacing
    /// undone, punctuation kept (so delimiters such as <c>&lt;|system|&gt;</c> survive).
    /// </summary>
    public static string Folded(string text) => Despace(Fold(text));

    /// <summary>Gets the spaced view of an already folded text.</summary>
    public static string SpacedFromFolded(string folded) => SpacedFromFolded(folded, null);

    /// <summary>
    /// Gets the spaced view of an already folded text, and where each folded position lands in it:
    /// <c>map[i]</c> is the spaced view's length before folded character <c>i</c> is read (<c>map</c> has one more
    /// element than the text), so a range of the folded text maps to a range of the spaced view.
    /// </summary>
    public static string SpacedFromFolded(string folded, int[]? map)
    {
        var rented = ArrayPool<char>.Shared.Rent(Math.Max(1, folded.Length));
        var length = 0;
        var space = true;
        for (var i = 0; i < folded.Length; i++)
        {
            var c = folded[i];
            if (map is not null)
            {
                map[i] = length;
            }

            if (char.IsLetter(c))
            {
                rented[length++] = c;
                space = false;
            }
            else if (!space)
            {
                rented[length++] = ' ';
                space = true;
            }
        }

        if (map is not null)
        {
            map[folded.Length] = length;
        }

        var spaced = new string(rented, 0, length);
        ArrayPool<char>.Shared.Return(rented);
        return spaced;
    }

    /// <summary>
    /// Rejoins split words of the spaced view ("ig nore previ ous" becomes "ignore previous") where the concatenation of
    /// two or three neighbouring tokens is a grammar word and the tokens are not already grammar words themselves.
    /// </summary>
    public static string Rejoin(string spaced)
    {
        var lookup = Vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        var prefixes = VocabularyProperPrefixes.GetAlternateLookup<ReadOnlySpan<char>>();
        // The token array is reused per thread (Rejoin never re-enters itself), so ordinary text allocates nothing here.
        // A text has at most one token per two characters, plus one.
        var all = tokensForThread is { } cached && cached.Length > spaced.Length / 2 ? cached : tokensForThread = new (int, int)[Math.Max(256, (spaced.Length / 2) + 1)];
        var count = 0;
        var words = new SpacedWords(spaced);
        while (words.Next(out var wordStart, out var wordLength))
        {
            all[count++] = (wordStart, wordLength);
        }

        ReadOnlySpan<(int Start, int Length)> tokens = all.AsSpan(0, count);

        Span<char> buffer = stackalloc char[MaxJoined];
        StringBuilder? builder = null;
        for (var t = 0; t < tokens.Length; t++)
        {
            var (start, length) = tokens[t];
            var consumed = 0;
            var joinedLength = 0;
            // A join starts with this token and is longer than it, so the token must be a proper prefix of a vocabulary word.
            if (HasVocabularyPrefix(spaced, tokens, t) && (length < 3 || StartsLikeVocabulary(spaced.AsSpan(start, 3)))
                && IsProperPrefix(prefixes, spaced.AsSpan(start, length)) && !InVocabulary(lookup, spaced.AsSpan(start, length)))
            {
                for (var n = 3; n >= 2 && consumed == 0; n--)
                {
                    if (t + n > tokens.Length)
                    {
                        continue;
                    }

                    var total = 0;
                    for (var k = 0; k < n; k++)
                    {
                        total += tokens[t + k].Length;
                    }

                    var last = tokens[t + n - 1];

                    // The join's shape (its length, first and last letter) must be a vocabulary word's before it is built.
                    if (total > MaxJoined || !MayBeIn(VocabularyShapes, total, spaced[start], spaced[last.Start + last.Length - 1]))
                    {
                        continue;
                    }

                    var at = 0;
                    for (var k = 0; k < n; k++)
                    {
                        spaced.AsSpan(tokens[t + k].Start, tokens[t + k].Length).CopyTo(buffer[at..]);
                        at += tokens[t + k].Length;
                    }

                    if (InVocabulary(lookup, buffer[..total]) && !InVocabulary(lookup, spaced.AsSpan(last.Start, last.Length)))
                    {
                        consumed = n - 1;
                        joinedLength = total;
                    }
                }
            }

            if (consumed > 0 && builder is null)
            {
                builder = new StringBuilder(spaced.Length);
                builder.Append(spaced, 0, start);
            }

            if (builder is not null)
            {
                if (consumed > 0)
                {
                    builder.Append(buffer[..joinedLength]);
                }
                else
                {
                    builder.Append(spaced, start, length);
                }

                builder.Append(' ');
            }

            t += consumed;
        }

        return builder is null ? spaced : builder.ToString().TrimEnd();
    }

    /// <summary>Whether a token is a vocabulary word (a shape test first, so most tokens need no hash lookup).</summary>
    private static bool InVocabulary(HashSet<string>.AlternateLookup<ReadOnlySpan<char>> lookup, ReadOnlySpan<char> token)
        => MayBeIn(VocabularyShapes, token) && lookup.Contains(token);

    /// <summary>
    /// Blanks the contents of quotations ("...", '...', “...”, «...», `...`) with spaces, keeping the length, so the
    /// detector can tell an attack from a question about a quoted attack. Apostrophes inside words are not quotes.
    /// </summary>
    public static string BlankQuoted(string text)
    {
        char[]? chars = null;

        // Unclosed openers each look up to 400 characters ahead; the budget keeps adversarial input linear.
        var budget = (4L * text.Length) + 4096;
        for (var i = 0; i < text.Length && budget > 0; i++)
        {
            // Jump to the next opener (vectorised): most characters are none.
            var next = text.AsSpan(i).IndexOfAny(QuoteOpeners);
            if (next < 0)
            {
                break;
            }

            i += next;
            var close = text[i] switch
            {
                '"' => '"',
                '“' => '”',
                '„' => '“',
                '«' => '»',
                '‘' => '’',
                '`' => '`',
                '\'' => '\'',
                _ => '\0',
            };
            if (close == '\0' || (text[i] == '\'' && i > 0 && char.IsLetterOrDigit(text[i - 1])))
            {
                continue;
            }

            var limit = Math.Min(text.Length, i + 400);
            budget -= limit - i;
            for (var j = i + 1; j < limit; j++)
            {
                if (text[j] != close)
                {
                    continue;
                }

                // A closing single quote ends a word ("don't" is not a close).
                if (close == '\'' && j + 1 < text.Length && char.IsLetter(text[j + 1]))
                {
                    continue;
                }

                chars ??= text.ToCharArray();
                for (var k = i + 1; k < j; k++)
                {
                    chars[k] = ' ';
                }

                i = j;
                break;
            }
        }

        return chars is null ? text : new string(chars);
    }

    /// <summary>
    /// Drops punctuation inserted between two letters ("w.r-i_te", "cont_e_nt" become "write", "content") when the text
    /// holds at least two such insertions and one per 40 characters; otherwise returns the same instance. Apostrophes are kept.
    /// </summary>
    public static string JoinInnerPunctuation(string folded)
    {
        // Obfuscation inserts marks densely; ordinary text (an e-mail address, "e.g.", a hyphenated word) does not.
        var count = 0;
        for (var i = 1; i + 1 < folded.Length; i++)
        {
            // Jump to the next mark (vectorised): most characters are not marks.
            var next = folded.AsSpan(i, folded.Length - 1 - i).IndexOfAny(Marks);
            if (next < 0)
            {
                break;
            }

            i += next;
            if (IsInnerPunctuation(folded, i))
            {
                count++;
            }
        }

        if (count < 2 || count * 40 < folded.Length)
        {
            return folded;
        }

        var builder = new StringBuilder(folded.Length);
        for (var i = 0; i < folded.Length; i++)
        {
            // A run of inserted marks between two letters ("a_*b") goes as a whole.
            if (i > 0 && char.IsLetter(folded[i - 1]) && IsMark(folded[i]))
            {
                var j = i;
                while (j < folded.Length && j - i < 3 && IsMark(folded[j]))
                {
                    j++;
                }

                if (j < folded.Length && char.IsLetter(folded[j]))
                {
                    i = j - 1;
                    continue;
                }
            }

            builder.Append(folded[i]);
        }

        return builder.ToString();
    }

    private static bool IsMark(char c) => c is '.' or '_' or '*' or '-' or '~' or '|' or '+' or '^' or '#' or ',';

    private static bool IsInnerPunctuation(string text, int i)
        => IsMark(text[i]) && char.IsLetter(text[i - 1]) && char.IsLetter(text[i + 1]);

    /// <summary>Removes format (zero-width, bidi) characters, so delimiter patterns see through them.</summary>
    public static string StripInvisible(string text)
    {
        // ASCII holds no format character: start at the first non-ASCII one (vectorised).
        var i = text.AsSpan().IndexOfAnyExceptInRange('\0', '\u007F');
        if (i < 0)
        {
            return text;
        }

        while (i < text.Length && CharUnicodeInfo.GetUnicodeCategory(text[i]) != UnicodeCategory.Format)
        {
            i++;
        }

        if (i == text.Length)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(text[i]) != UnicodeCategory.Format)
            {
                builder.Append(text[i]);
            }
        }

        return builder.ToString();
    }

    /// <summary>Gets the compact view: letters only, so "ig nore previ ous" becomes "ignoreprevious".</summary>
    public static string Compact(string spaced)
    {
        var rented = ArrayPool<char>.Shared.Rent(Math.Max(1, spaced.Length));
        var length = 0;
        foreach (var c in spaced)
        {
            if (c != ' ')
            {
                rented[length++] = c;
            }
        }

        var compact = new string(rented, 0, length);
        ArrayPool<char>.Shared.Return(rented);
        return compact;
    }

    /// <summary>Decodes base64 runs that decode to mostly printable UTF-8 text; returns them joined, or empty.</summary>
    public static string DecodeBase64Payloads(string text)
    {
        StringBuilder? decoded = null;
        var count = 0;
        var i = 0;
        while (i < text.Length)
        {
            // Runs of at least 16 base64 characters, with up to two '=' of padding. Shorter runs (ordinary words) are
            // skipped in one tight loop.
            var start = NextLongBase64Run(text, i, out var end);
            if (start < 0)
            {
                break;
            }

            i = end;
            for (var pad = 0; pad < 2 && i < text.Length && text[i] == '='; pad++)
            {
                i++;
            }

            if (++count > 64 || i - start > 65536)
            {
                break;
            }

            var chars = text.AsSpan(start, i - start);
            var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(chars.Length)];
            if (!Convert.TryFromBase64Chars(chars, bytes, out var written) || written < 8)
            {
                continue;
            }

            string value;
            try
            {
                value = new UTF8Encoding(false, true).GetString(bytes, 0, written);
            }
            catch (DecoderFallbackException)
            {
                continue;
            }

            var printable = 0;
            foreach (var c in value)
            {
                if (!char.IsControl(c) || c is '\n' or '\r' or '\t')
                {
                    printable++;
                }
            }

            if (printable >= value.Length * 0.9)
            {
                (decoded ??= new StringBuilder()).Append(value).Append('\n');
            }
        }

        return decoded?.ToString() ?? string.Empty;
    }

    /// <summary>Finds the next run of at least 16 base64 characters at or after <paramref name="from"/>.</summary>
    /// <returns>The run's start, or -1 when there is none; <paramref name="end"/> is where the run ends.</returns>
    private static int NextLongBase64Run(string text, int from, out int end)
    {
        var run = 0;
        for (var i = from; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 128 && IsBase64[c])
            {
                run++;
                continue;
            }

            if (run >= 16)
            {
                end = i;
                return i - run;
            }

            run = 0;
        }

        end = text.Length;
        return run >= 16 ? text.Length - run : -1;
    }

    /// <summary>
    /// Undoes letter spacing ("i g n o r e   a l l"): inside a run of at least four single characters separated by
    /// single spaces, single spaces are dropped and wider gaps become one space.
    /// </summary>
    private static string Despace(string text)
    {
        StringBuilder? builder = null;
        var copied = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == ' ' || (i > 0 && text[i - 1] != ' '))
            {
                i++;
                continue;
            }

            // Count a run of single characters (each followed by one to three spaces, or the end).
            var singles = 0;
            var end = i;
            var j = i;
            while (j < text.Length && text[j] != ' ' && (j + 1 == text.Length || text[j + 1] == ' '))
            {
                singles++;
                end = j + 1;
                var k = j + 1;
                while (k < text.Length && text[k] == ' ')
                {
                    k++;
                }

                if (k - end > 3)
                {
                    break;
                }

                j = k;
            }

            if (singles < 4)
            {
                i++;
                continue;
            }

            builder ??= new StringBuilder(text.Length);
            builder.Append(text, copied, i - copied);
            for (var p = i; p < end; p++)
            {
                if (text[p] != ' ')
                {
                    builder.Append(text[p]);
                }
                else if (text[p + 1] == ' ')
                {
                    // A wider gap was a word boundary.
                    builder.Append(' ');
                    while (text[p + 1] == ' ')
                    {
                        p++;
                    }
                }
            }

            copied = end;
            i = end;
        }

        if (builder is null)
        {
            return text;
        }

        builder.Append(text, copied, text.Length - copied);
        return builder.ToString();
    }

    private static bool[] BuildIsBase64()
    {
        var table = new bool[128];
        for (var c = 0; c < 128; c++)
        {
            table[c] = char.IsAsciiLetterOrDigit((char)c) || c is '+' or '/';
        }

        return table;
    }

    private static HashSet<string> BuildVocabularyProperPrefixes()
    {
        var prefixes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in Vocabulary)
        {
            for (var length = 1; length < word.Length; length++)
            {
                prefixes.Add(word[..length]);
            }
        }

        return prefixes;
    }

    private static ulong[] BuildShapes(HashSet<string> words)
    {
        var shapes = new ulong[(((LongestShape + 1) * 26 * 26) + 63) / 64];
        foreach (var word in words)
        {
            var shape = ShapeOf(word);
            if (shape < 0)
            {
                throw new InvalidOperationException($"The vocabulary word or prefix '{word}' must start and end with a letter a-z.");
            }

            shapes[shape >> 6] |= 1UL << shape;
        }

        return shapes;
    }

    /// <summary>The shape of a token (length, first and last letter) as a number, or -1 when either letter is not a-z.</summary>
    private static int ShapeOf(ReadOnlySpan<char> token) => ShapeOf(token.Length, token[0], token[^1]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ShapeOf(int length, char firstLetter, char lastLetter)
    {
        var first = (uint)(firstLetter - 'a');
        var last = (uint)(lastLetter - 'a');
        return first < 26 && last < 26 ? (int)((((uint)Math.Min(length, LongestShape) * 26) + first) * 26) + (int)last : -1;
    }

    /// <summary>Whether a word of <paramref name="shapes"/>' set may be the token: false only when none has its shape.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool MayBeIn(ulong[] shapes, ReadOnlySpan<char> token) => MayBeIn(shapes, token.Length, token[0], token[^1]);

    /// <summary>Whether a word of <paramref name="shapes"/>' set may have this length, first and last letter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool MayBeIn(ulong[] shapes, int length, char first, char last)
    {
        var shape = ShapeOf(length, first, last);
        return shape < 0 || (shapes[shape >> 6] & (1UL << shape)) != 0;
    }

    /// <summary>
    /// Whether a token is a proper prefix of a vocabulary word: a token of up to three letters a-z is read from a bit set
    /// (one bit per such token), a longer one is looked up after a shape test.
    /// </summary>
    private static bool IsProperPrefix(HashSet<string>.AlternateLookup<ReadOnlySpan<char>> prefixes, ReadOnlySpan<char> token)
    {
        var key = ShortKey(token);
        return key >= 0 ? (ShortProperPrefixes[key >> 6] & (1UL << key)) != 0 : MayBeIn(ProperPrefixShapes, token) && prefixes.Contains(token);
    }

    /// <summary>A number for each token of one to three letters a-z (all distinct, below <see cref="ShortKeys"/>), or -1 for any other token.</summary>
    private static int ShortKey(ReadOnlySpan<char> token)
    {
        var key = 0;
        if (token.Length is 0 or > 3)
        {
            return -1;
        }

        foreach (var c in token)
        {
            var letter = (uint)(c - 'a');
            if (letter >= 26)
            {
                return -1;
            }

            key = (key * 26) + (int)letter;
        }

        // Lengths 1, 2 and 3 take the ranges [0, 26), [26, 26 + 26^2) and [26 + 26^2, ShortKeys).
        return (token.Length == 1 ? 0 : token.Length == 2 ? 26 : 26 + (26 * 26)) + key;
    }

    private static ulong[] BuildShortProperPrefixes()
    {
        var set = new ulong[(ShortKeys + 63) / 64];
        foreach (var prefix in VocabularyProperPrefixes)
        {
            var key = ShortKey(prefix);
            if (key >= 0)
            {
                set[key >> 6] |= 1UL << key;
            }
        }

        return set;
    }

    private static bool[] BuildVocabularyStarts()
    {
        var table = new bool[26 * 26 * 26];
        foreach (var word in Vocabulary)
        {
            if (word.Length > 3)
            {
                table[((((word[0] - 'a') * 26) + (word[1] - 'a')) * 26) + (word[2] - 'a')] = true;
            }
        }

        return table;
    }

    private static bool StartsLikeVocabulary(ReadOnlySpan<char> start)
    {
        var (a, b, c) = ((uint)(start[0] - 'a'), (uint)(start[1] - 'a'), (uint)(start[2] - 'a'));
        return a >= 26 || b >= 26 || c >= 26 || VocabularyStarts[(int)((((a * 26) + b) * 26) + c)];
    }

    private static bool[] BuildVocabularyPrefixes()
    {
        var table = new bool[26 * 26];
        foreach (var word in Vocabulary)
        {
            table[((word[0] - 'a') * 26) + (word[1] - 'a')] = true;
        }

        return table;
    }

    /// <summary>Tells whether the token at <paramref name="t"/>, joined with the next one when it is a single letter, starts like a vocabulary word.</summary>
    private static bool HasVocabularyPrefix(string spaced, ReadOnlySpan<(int Start, int Length)> tokens, int t)
    {
        var (start, length) = tokens[t];
        var first = spaced[start];
        char second;
        if (length >= 2)
        {
            second = spaced[start + 1];
        }
        else if (t + 1 < tokens.Length)
        {
            second = spaced[tokens[t + 1].Start];
        }
        else
        {
            return false;
        }

        return first is >= 'a' and <= 'z' && second is >= 'a' and <= 'z' && VocabularyPrefixes[((first - 'a') * 26) + (second - 'a')];
    }


    private static string Fold(string text)
    {
        if (Ascii.IsValid(text))
        {
            // Compatibility normalisation and the category checks are no-ops on ASCII: map through a table.
            return string.Create(text.Length, text, static (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    span[i] = AsciiFold[source[i]];
                }
            });
        }

        string normalized;
        try
        {
            normalized = text.Normalize(NormalizationForm.FormKD);
        }
        catch (ArgumentException)
        {
            // Lone surrogates make Normalize throw; fall back to the raw text.
            normalized = text;
        }

        var builder = new StringBuilder(normalized.Length);
        for (var i = 0; i < normalized.Length; i++)
        {
            var c = normalized[i];
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.Format or UnicodeCategory.EnclosingMark)
            {
                continue;
            }

            if (char.IsSurrogate(c))
            {
                // Tag characters and other astral code points carry no letters we match on.
                continue;
            }

            builder.Append(FoldChar(c));
        }

        return builder.ToString();
    }

    private static char FoldChar(char c)
    {
        c = char.ToLowerInvariant(c);
        if (Homoglyphs.TryGetValue(c, out var latin))
        {
            c = latin;
        }

        return c switch
        {
            '0' => 'o',
            '1' => 'i',
            '3' => 'e',
            '4' => 'a',
            '5' => 's',
            '7' => 't',
            '@' => 'a',
            '$' => 's',
            'ß' => 's',
            _ => c,
        };
    }

    private static char[] BuildAsciiFold()
    {
        var table = new char[128];
        for (var c = 0; c < 128; c++)
        {
            table[c] = FoldChar((char)c);
        }

        return table;
    }
}
