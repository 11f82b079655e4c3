using System.Globalization;

namespace LlmOps.Prompts;

/// <summary>A longest-common-subsequence line diff of two prompt versions.</summary>
internal static class PromptDiff
{
    public static List<string> ToLines(PromptTemplate t)
    {
        var lines = new List<string>();
        var s = t.Settings;
        if (s is not null)
        {
            if (s.ModelId is not null) lines.Add($"model: {s.ModelId}");
            if (s.Temperature is float temp) lines.Add($"temperature: {temp.ToString(CultureInfo.InvariantCulture)}");
            if (s.MaxOutputTokens is int max) lines.Add($"maxOutputTokens: {max.ToString(CultureInfo.InvariantCulture)}");
            if (s.ResponseFormat is not null) lines.Add($"responseFormat: {s.ResponseFormat}");
        }

        foreach (var v in t.Variables)
        {
            lines.Add($"variable: {v.Name}{(v.Required ? " (required)" : string.Empty)}{(v.Default is null ? string.Empty : " = " + v.Default)}");
        }

        foreach (var m in t.Messages)
        {
            lines.Add($"[{m.Role.Value}]");
            lines.AddRange(m.Content.Split('\n'));
        }

        return lines;
    }

    public static List<PromptDiffLine> Lines(List<string> a, List<string> b)
    {
        var n = a.Count;
        var m = b.Count;
        var lcs = new int[n + 1, m + 1];
        for (var i = n - 1; i >= 0; i--)
        {
            for (var j = m - 1; j >= 0; j--)
            {
                lcs[i, j] = string.Equals(a[i], b[j], StringComparison.Ordinal) ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var result = new List<PromptDiffLine>();
        int x = 0, y = 0;
        while (x < n && y < m)
        {
            if (string.Equals(a[x], b[y], StringComparison.Ordinal))
            {
                result.Add(new PromptDiffLine(' ', a[x++]));
                y++;
            }
            else if (lcs[x + 1, y] >= lcs[x, y + 1])
            {
                result.Add(new PromptDiffLine('-', a[x++]));
            }
            else
            {
                result.Add(new PromptDiffLine('+', b[y++]));
            }
        }

        while (x < n) result.Add(new PromptDiffLine('-', a[x++]));
        while (y < m) result.Add(new PromptDiffLine('+', b[y++]));
        return result;
    }
}
