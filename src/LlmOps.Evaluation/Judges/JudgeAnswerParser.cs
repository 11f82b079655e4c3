using System.Text.Json;

namespace LlmOps.Evaluation.Judges;

/// <summary>Reads the judge's JSON answer; anything else is malformed and says why.</summary>
internal static class JudgeAnswerParser
{
    public static bool TryParseScore(string text, int min, int max, out int score, out string reason, out string problem)
    {
        score = 0;
        reason = string.Empty;
        if (!TryGetObject(text, out JsonElement root, out problem))
        {
            return false;
        }

        if (!root.TryGetProperty("score", out JsonElement value) || value.ValueKind != JsonValueKind.Number
            || !value.TryGetDouble(out double d) || d != Math.Floor(d))
        {
            problem = "the JSON has no integer \"score\"";
            return false;
        }

        if (d < min || d > max)
        {
            problem = $"the score {d} is outside {min}-{max}";
            return false;
        }

        score = (int)d;
        reason = root.TryGetProperty("reason", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString() ?? string.Empty : string.Empty;
        return true;
    }

    public static bool TryParseWinner(string text, out char winner, out string reason, out string problem)
    {
        winner = '\0';
        reason = string.Empty;
        if (!TryGetObject(text, out JsonElement root, out problem))
        {
            return false;
        }

        string? w = root.TryGetProperty("winner", out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        switch (w?.Trim().ToUpperInvariant())
        {
            case "A":
                winner = 'A';
                break;
            case "B":
                winner = 'B';
                break;
            case "TIE":
                winner = 'T';
                break;
            default:
                problem = "the JSON has no \"winner\" of \"A\", \"B\" or \"tie\"";
                return false;
        }

        reason = root.TryGetProperty("reason", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString() ?? string.Empty : string.Empty;
        return true;
    }

    // The answer must contain one JSON object (a code fence or a sentence around it is tolerated).
    private static bool TryGetObject(string text, out JsonElement root, out string problem)
    {
        root = default;
        int start = text.IndexOf('{', StringComparison.Ordinal);
        int end = text.LastIndexOf('}');
        if (start < 0 || end <= start)
        {
            problem = "the answer contains no JSON object";
            return false;
        }

        try
        {
            using JsonDocument doc = JsonDocument.Parse(text.AsMemory(start, end - start + 1));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = "the answer's JSON is not an object";
                return false;
            }

            root = doc.RootElement.Clone();
            problem = string.Empty;
            return true;
        }
        catch (JsonException e)
        {
            problem = $"the answer's JSON does not parse ({e.Message})";
            return false;
        }
    }
}
