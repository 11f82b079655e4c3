namespace LlmOps.Retrieval;

/// <summary>Splits an answer into sentences and reads the <c>[n]</c> citation markers of each (<c>[1]</c>, <c>[1, 3]</c>, <c>[2][4]</c>).</summary>
internal static class CitationParser
{
    /// <summary>The answer's sentences, each without its markers, with the source numbers it cites (in range only).</summary>
    public static List<(string Text, List<int> Citations)> Parse(string answer, int sourceCount)
    {
        var sentences = new List<(string, List<int>)>();
        var text = new System.Text.StringBuilder();
        var citations = new List<int>();
        var i = 0;
        while (i < answer.Length)
        {
            var c = answer[i];
            if (c == '[' && TryReadMarker(answer, i, sourceCount, citations, out var end))
            {
                i = end;
                continue;
            }

            text.Append(c);
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

                Flush(sentences, text, citations);
            }
        }

        Flush(sentences, text, citations);
        return sentences;
    }

    private static void Flush(List<(string, List<int>)> sentences, System.Text.StringBuilder text, List<int> citations)
    {
        var sentence = TightenPunctuation(string.Join(' ', text.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        if (sentence.Any(char.IsLetterOrDigit))
        {
            sentences.Add((sentence, [.. citations.Distinct()]));
        }
        else if (sentences.Count > 0 && citations.Count > 0)
        {
            sentences[^1].Item2.AddRange(citations.Where(n => !sentences[^1].Item2.Contains(n)));
        }

        text.Clear();
        citations.Clear();
    }

    /// <summary>Drops the space a removed marker leaves before punctuation ("at night [1]." reads "at night.").</summary>
    private static string TightenPunctuation(string sentence)
    {
        if (!sentence.Contains(' ', StringComparison.Ordinal))
        {
            return sentence;
        }

        var result = new System.Text.StringBuilder(sentence.Length);
        for (var i = 0; i < sentence.Length; i++)
        {
            if (sentence[i] == ' ' && i + 1 < sentence.Length && sentence[i + 1] is '.' or '!' or '?' or ',' or ';' or ':')
            {
                continue;
            }

            result.Append(sentence[i]);
        }

        return result.ToString();
    }

    /// <summary>Reads <c>[n]</c> or <c>[n, m, …]</c> at <paramref name="start"/>; numbers out of range make it plain text.</summary>
    private static bool TryReadMarker(string s, int start, int sourceCount, List<int> citations, out int end)
    {
        end = start;
        var numbers = new List<int>();
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
                    return false;
                }
            }
            else if (c is ',' or ' ')
            {
                if (current >= 0)
                {
                    numbers.Add(current);
                    current = -1;
                }
            }
            else if (c == ']')
            {
                if (current >= 0)
                {
                    numbers.Add(current);
                }

                if (numbers.Count == 0 || numbers.Any(n => n < 1 || n > sourceCount))
                {
                    return false;
                }

                citations.AddRange(numbers);
                end = i + 1;
                return true;
            }
            else
            {
                return false;
            }

            i++;
        }

        return false;
    }
}
