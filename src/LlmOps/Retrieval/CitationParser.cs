using System.Buffers;

namespace LlmOps.Retrieval;

/// <summary>Splits an answer into sentences and reads the <c>[n]</c> citation markers of each (<c>[1]</c>, <c>[1, 3]</c>, <c>[2][4]</c>).</summary>
internal static class CitationParser
{
    /// <summary>The answer's sentences, each without its markers, with the source numbers it cites (in range only).</summary>
    public static List<(string Text, List<int> Citations)> Parse(string answer, int sourceCount)
    {
        var sentences = new List<(string, List<int>)>();
        var citations = new List<int>();

        // A sentence is the answer's characters without its markers, so the answer's length bounds it.
        var text = ArrayPool<char>.Shared.Rent(Math.Max(answer.Length, 1));
        var length = 0;
        try
        {
            var i = 0;
            while (i < answer.Length)
            {
                var c = answer[i];
                if (c == '[' && TryReadMarker(answer, i, sourceCount, citations, out var end))
                {
                    i = end;
                    continue;
                }

                text[length++] = c;
                i++;
                var terminal = c is '.' or '!' or '?' or '\n';
                var boundary = i >= answer.Length || char.IsWhiteSpace(answer[i]) || answer[i] == '[';
                if (terminal && boundary)
                {
                    // Markers right after the full stop ("... in 2020. [3]") still belong to this sentence.
                    while (i < answer.Length)
                    {
                        var j = i;
                        while (j < answer.Length && answer[j] == ' ')
                        {
                            j++;
                        }

                        if (j < answer.Length && answer[j] == '[' && TryReadMarker(answer, j, sourceCount, citations, out var after))
                        {
                            i = after;
                            continue;
                        }

                        break;
                    }

                    Flush(sentences, text.AsSpan(0, length), citations);
                    length = 0;
                }
            }

            Flush(sentences, text.AsSpan(0, length), citations);
            return sentences;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(text);
        }
    }

    private static void Flush(List<(string, List<int>)> sentences, Span<char> text, List<int> citations)
    {
        var sentence = Normalize(text);
        if (sentence is not null)
        {
            var distinct = new List<int>(citations.Count);
            foreach (var n in citations)
            {
                if (!distinct.Contains(n))
                {
                    distinct.Add(n);
                }
            }

            sentences.Add((sentence, distinct));
        }
        else if (sentences.Count > 0 && citations.Count > 0)
        {
            var previous = sentences[^1].Item2;
            foreach (var n in citations)
            {
                if (!previous.Contains(n))
                {
                    previous.Add(n);
                }
            }
        }

        citations.Clear();
    }

    /// <summary>
    /// The sentence with white space collapsed to single spaces and trimmed, and without the space a removed marker
    /// leaves before punctuation ("at night [1]." reads "at night."); <see langword="null"/> when it has no letter or
    /// digit. It is rewritten in place: the result is never longer than the text.
    /// </summary>
    private static string? Normalize(Span<char> text)
    {
        var length = 0;
        var pendingSpace = false;
        var content = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = length > 0;
                continue;
            }

            if (pendingSpace && c is not ('.' or '!' or '?' or ',' or ';' or ':'))
            {
                text[length++] = ' ';
            }

            pendingSpace = false;
            content |= char.IsLetterOrDigit(c);
            text[length++] = c;
        }

        return content ? new string(text[..length]) : null;
    }

    /// <summary>Reads <c>[n]</c> or <c>[n, m, …]</c> at <paramref name="start"/>; numbers out of range make it plain text.</summary>
    private static bool TryReadMarker(string s, int start, int sourceCount, List<int> citations, out int end)
    {
        // The numbers go straight into 'citations' and are taken out again when the marker turns out to be plain text.
        end = start;
        var before = citations.Count;
        var i = start + 1;
        var current = -1;
        while (i < s.Length && i - start < 32)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c))
            {
                current = (current < 0 ? 0 : current * 10) + (c - '0');
                if (current > 10_000)
                {
                    break;
                }
            }
            else if (c is ',' or ' ')
            {
                if (current >= 0)
                {
                    if (current < 1 || current > sourceCount)
                    {
                        break;
                    }

                    citations.Add(current);
                    current = -1;
                }
            }
            else if (c == ']')
            {
                if (current >= 0)
                {
                    if (current < 1 || current > sourceCount)
                    {
                        break;
                    }

                    citations.Add(current);
                }

                if (citations.Count == before)
                {
                    return false;
                }

                end = i + 1;
                return true;
            }
            else
            {
                break;
            }

            i++;
        }

        citations.RemoveRange(before, citations.Count - before);
        return false;
    }
}
