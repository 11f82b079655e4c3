using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmOps.Testing;

// The on-disk shape of a cassette. Version 1:
// { "version": 1, "entries": [ { "key", "request", "response": { "text", "modelId", "finishReason", "responseId", "usage" }, "chunks" } ] }
internal sealed class CassetteDocument
{
    public int Version { get; set; }

    public List<CassetteEntry>? Entries { get; set; }
}

internal sealed class CassetteEntry
{
    public string? Key { get; set; }

    // The canonical request the key hashes, kept so a human can see what was recorded.
    public JsonElement? Request { get; set; }

    public CassetteResponse? Response { get; set; }

    // Null when the answer was recorded from a non-streaming call.
    public List<string>? Chunks { get; set; }
}

internal sealed class CassetteResponse
{
    public string? Text { get; set; }

    public string? ModelId { get; set; }

    public string? FinishReason { get; set; }

    public string? ResponseId { get; set; }

    public CassetteUsage? Usage { get; set; }
}

internal sealed class CassetteUsage
{
    public long? InputTokens { get; set; }

    public long? OutputTokens { get; set; }

    public long? TotalTokens { get; set; }

    public long? CachedInputTokens { get; set; }

    public long? ReasoningTokens { get; set; }
}

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CassetteDocument))]
internal sealed partial class CassetteJsonContext : JsonSerializerContext;
