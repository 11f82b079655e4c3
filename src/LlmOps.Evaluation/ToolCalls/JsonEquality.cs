using System.Text.Json;

namespace LlmOps.Evaluation.ToolCalls;

/// <summary>Structural JSON equality (property order ignored, array order kept, numbers by value) and compact JSON text.</summary>
internal static class JsonEquality
{
    /// <summary>The element as JSON with no white space, whatever the layout it was read or written with.</summary>
    public static string Compact(JsonElement element)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            element.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static bool Equal(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                int count = 0;
                foreach (JsonProperty p in a.EnumerateObject())
                {
                    count++;
                    if (!b.TryGetProperty(p.Name, out JsonElement other) || !Equal(p.Value, other))
                    {
                        return false;
                    }
                }

                foreach (JsonProperty _ in b.EnumerateObject())
                {
                    count--;
                }

                return count == 0;
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength())
                {
                    return false;
                }

                using (JsonElement.ArrayEnumerator left = a.EnumerateArray(), right = b.EnumerateArray())
                {
                    while (left.MoveNext() && right.MoveNext())
                    {
                        if (!Equal(left.Current, right.Current))
                        {
                            return false;
                        }
                    }
                }

                return true;
            case JsonValueKind.Number:
                return a.TryGetDecimal(out decimal x) && b.TryGetDecimal(out decimal y)
                    ? x == y
                    : a.GetDouble().Equals(b.GetDouble());
            case JsonValueKind.String:
                return string.Equals(a.GetString(), b.GetString(), StringComparison.Ordinal);
            default:
                return true; // true, false, null: the kinds already agree
        }
    }
}
