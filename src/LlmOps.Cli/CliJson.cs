using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmOps.Cli;

/// <summary>The JSON that <c>--json</c> writes: camelCase, indented, enums as strings, nulls left out.</summary>
internal static class CliJson
{
    /// <summary>Gets the serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Writes <paramref name="value"/> as one JSON document to standard output.</summary>
    /// <param name="context">The context.</param>
    /// <param name="value">The value.</param>
    /// <returns>A task that completes when written.</returns>
    public static Task WriteAsync(CliContext context, object value) =>
        context.Out.WriteLineAsync(JsonSerializer.Serialize(value, Options));
}
