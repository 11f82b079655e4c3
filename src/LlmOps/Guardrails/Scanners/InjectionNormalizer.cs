using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LlmOps.Guardrails.Scanners;

/// <summary>
/// Turns text into the views the injection grammar runs on, defeating trivial obfuscation: Unicode compatibility
/// forms, invisible characters, homoglyphs (Cyrillic and Greek look-alikes), diacritics, case, leetspeak digits,
/// punctuation and whitespace splitting, and base64-wrapped payloads.
/// </summary>
internal static class InjectionNormalizer
{
    private static readonly Regex Base64Run = new(@"[A-Za-z0-9+/]{16,}={0,2}", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    private static readonly Dictionary<char, char> Homoglyphs = new()
    {
        ['а'] = 'a', ['е'] = 'e', ['о'] = 'o', ['р'] = 'p', ['с'] = 'c', ['у'] = 'y', ['х'] = 'x', ['і'] = 'i', ['ј'] = 'j',
        ['ѕ'] = 's', ['ԁ'] = 'd', ['ɡ'] = 'g', ['һ'] = 'h', ['ӏ'] = 'l', ['ո'] = 'n', ['ν'] = 'v', ['ο'] = 'o', ['α'] = 'a',
        ['ε'] = 'e', ['ι'] = 'i', ['κ'] = 'k', ['ρ'] = 'p', ['τ'] = 't', ['υ'] = 'u', ['χ'] = 'x', ['ѵ'] = 'v', ['ԝ'] = 'w',
        ['ɑ'] = 'a', ['ı'] = 'i', ['ꞇ'] = 't', ['ｓ'] = 's',
    };

    /// <summary>
    /// Words an attacker splits ("instruc tions", "for get") that the grammar needs whole. Tokens are rejoined only
    /// when the concatenation is one of these words, so ordinary text is left alone.
    /// </summary>
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
        "consignes", "ignorez", "oubliez", "ignorer", "oublie",
    };

    /// <summary>Gets the spaced view: lower-case letters, words separated by single spaces.</summary>
    public static string Spaced(string text)
    {
        var folded = Despace(Fold(text));
        var builder = new StringBuilder(folded.Length);
        var space = true;
        foreach (var c in folded)
        {
            if (char.IsLetter(c))
            {
                builder.Append(c);
                space = false;
            }
            else if (!space)
            {
                builder.Append(' ');
                space = true;
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Rejoins split words of the spaced view ("ig nore previ ous" becomes "ignore previous") where the concatenation of
    /// two or three neighbouring tokens is a grammar word and the tokens are not already grammar words themselves.
    /// </summary>
    public static string Rejoin(string spaced)
    {
        var tokens = spaced.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        StringBuilder? builder = null;
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            var consumed = 0;
            if (!Vocabulary.Contains(token))
            {
                for (var n = 3; n >= 2 && consumed == 0; n--)
                {
                    if (i + n > tokens.Length)
                    {
                        continue;
                    }

                    var joined = string.Concat(tokens.AsSpan(i, n));
                    if (joined.Length <= 20 && Vocabulary.Contains(joined) && !Vocabulary.Contains(tokens[i + n - 1]))
                    {
                        token = joined;
                        consumed = n - 1;
                    }
                }
            }

            if (consumed > 0 && builder is null)
            {
                builder = new StringBuilder(spaced.Length);
                for (var k = 0; k < i; k++)
                {
                    builder.Append(tokens[k]).Append(' ');
                }
            }

            builder?.Append(token).Append(' ');
            i += consumed;
        }

        return builder is null ? spaced : builder.ToString().TrimEnd();
    }

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

    /// <summary>Removes format (zero-width, bidi) characters, so delimiter patterns see through them.</summary>
    public static string StripInvisible(string text)
    {
        var i = 0;
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
        var builder = new StringBuilder(spaced.Length);
        foreach (var c in spaced)
        {
            if (c != ' ')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>Decodes base64 runs that decode to mostly printable UTF-8 text; returns them joined, or empty.</summary>
    public static string DecodeBase64Payloads(string text)
    {
        StringBuilder? decoded = null;
        var count = 0;
        foreach (var match in Base64Run.EnumerateMatches(text))
        {
            if (++count > 64 || match.Length > 65536)
            {
                break;
            }

            var run = text.AsSpan(match.Index, match.Length);
            var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(run.Length)];
            if (!Convert.TryFromBase64Chars(run, bytes, out var written) || written < 8)
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

    private static string Fold(string text)
    {
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

            c = char.ToLowerInvariant(c);
            if (Homoglyphs.TryGetValue(c, out var latin))
            {
                c = latin;
            }

            c = c switch
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
            builder.Append(c);
        }

        return builder.ToString();
    }
}
