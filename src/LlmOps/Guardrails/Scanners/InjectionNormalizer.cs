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

    /// <summary>Gets the spaced view: lower-case letters, words separated by single spaces.</summary>
    public static string Spaced(string text)
    {
        var folded = Fold(text);
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
