using System.Runtime.CompilerServices;

namespace LlmOps.Evaluation.Metrics;

/// <summary>
/// Text rules of CPython 3 that the reference implementations rely on (<c>str.split()</c> whitespace,
/// <c>str.rstrip()</c>), so that tokenisation agrees with them character for character.
/// </summary>
internal static class PythonText
{
    /// <summary>Whether CPython's <c>str.isspace()</c> is true for <paramref name="c"/> (the set <c>str.split()</c> splits on).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsWhiteSpace(char c)
    {
        if (c <= ' ')
        {
            // \t \n \v \f \r, the information separators \x1c-\x1f and the space.
            return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
        }

        if (c < '\x85')
        {
            return false;
        }

        return c == '\x85' || c == '\xa0' || c == '\u1680' || (c >= '\u2000' && c <= '\u200a')
            || c == '\u2028' || c == '\u2029' || c == '\u202f' || c == '\u205f' || c == '\u3000';
    }

    /// <summary>CPython's <c>str.rstrip()</c>.</summary>
    public static ReadOnlySpan<char> TrimEnd(ReadOnlySpan<char> text)
    {
        int end = text.Length;
        while (end > 0 && IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return text[..end];
    }

    /// <summary>Appends the code points of <paramref name="text"/> (a lone surrogate becomes U+FFFD) to <paramref name="target"/>.</summary>
    public static void AppendCodePoints(ReadOnlySpan<char> text, bool skipWhiteSpace, IntBuffer target)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (skipWhiteSpace && IsWhiteSpace(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                target.Add(char.ConvertToUtf32(c, text[i + 1]));
                i++;
            }
            else
            {
                target.Add(char.IsSurrogate(c) ? 0xFFFD : c);
            }
        }
    }
}
