using System.Text.Json;

namespace LlmOps.Evaluation.Rag;

/// <summary>Reads the JSON the RAG judge prompts ask for.</summary>
internal static class RagJudgeParsers
{
    public static bool TryParseStrings(string answer, string property, out List<string> values, out string problem)
    {
        values = [];
        if (!TryGetProperty(answer, property, JsonValueKind.Array, out JsonElement array, out problem))
        {
            return false;
        }

        foreach (JsonElement e in array.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.String)
            {
                problem = $"\"{property}\" must be an array of strings";
                return false;
            }

            string s = e.GetString()!.Trim();
            if (s.Length > 0)
            {
                values.Add(s);
            }
        }

        return true;
    }

    /// <summary>Reads <c>{"verdicts": [1, 0, ...]}</c> with exactly <paramref name="count"/> entries of 0/1 (or true/false).</summary>
    public static bool TryParseVerdicts(string answer, int count, out bool[] verdicts, out string problem)
    {
        verdicts = [];
        if (!TryGetProperty(answer, "verdicts", JsonValueKind.Array, out JsonElement array, out problem))
        {
            return false;
        }

        var list = new List<bool>();
        foreach (JsonElement e in array.EnumerateArray())
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.True:
                case JsonValueKind.False:
                    list.Add(e.GetBoolean());
                    break;
                case JsonValueKind.Number when e.TryGetInt32(out int v) && v is 0 or 1:
                    list.Add(v == 1);
                    break;
                default:
                    problem = "each verdict must be 1 or 0";
                    return false;
            }
        }

        if (list.Count != count)
        {
            problem = $"expected {count} verdicts, got {list.Count}";
            return false;
        }

        verdicts = [.. list];
        return true;
    }

    public static bool TryParseBool(string answer, string property, out bool value, out string problem)
    {
        value = false;
        if (!TryGetProperty(answer, property, JsonValueKind.Undefined, out JsonElement e, out problem))
        {
            return false;
        }

        if (e.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            value = e.GetBoolean();
            return true;
        }

        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) && v is 0 or 1)
        {
            value = v == 1;
            return true;
        }

        problem = $"\"{property}\" must be true/false or 1/0";
        return false;
    }

    private static bool TryGetProperty(string answer, string property, JsonValueKind kind, out JsonElement value, out string problem)
    {
        value = default;
        int start = answer.IndexOf('{', StringComparison.Ordinal);
        int end = answer.LastIndexOf('}');
        if (start < 0 || end <= start)
        {
            problem = "the answer contains no JSON object";
            return false;
        }

        try
        {
            using JsonDocument doc = JsonDocument.Parse(answer.AsMemory(start, end - start + 1));
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty(property, out JsonElement e)
                || (kind != JsonValueKind.Undefined && e.ValueKind != kind))
            {
                problem = $"the JSON has no \"{property}\"{(kind == JsonValueKind.Array ? " array" : string.Empty)}";
                return false;
            }

            value = e.Clone();
            problem = string.Empty;
            return true;
        }
        catch (JsonException ex)
        {
            problem = $"the answer's JSON does not parse ({ex.Message})";
            return false;
        }
    }
}
