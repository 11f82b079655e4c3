using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmOps.Prompts;

/// <summary>
/// The JSON form of a version's content (messages, variables, settings, metadata) that the database stores keep in one
/// column. Written and read by hand (no reflection), so it is trim- and AOT-safe and stable across releases.
/// </summary>
internal static class PromptTemplateJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes a version's content as JSON (the name, number and hash live in their own columns).</summary>
    public static string Write(PromptTemplate template)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartArray("messages");
            foreach (var m in template.Messages)
            {
                w.WriteStartObject();
                w.WriteString("role", m.Role.Value);
                w.WriteString("content", m.Content);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("variables");
            foreach (var v in template.Variables)
            {
                w.WriteStartObject();
                w.WriteString("name", v.Name);
                w.WriteBoolean("required", v.Required);
                w.WriteString("default", v.Default);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (template.Settings is { } s)
            {
                w.WriteStartObject("settings");
                w.WriteString("modelId", s.ModelId);
                if (s.Temperature is float t) w.WriteNumber("temperature", t); else w.WriteNull("temperature");
                if (s.MaxOutputTokens is int max) w.WriteNumber("maxOutputTokens", max); else w.WriteNull("maxOutputTokens");
                w.WriteString("responseFormat", s.ResponseFormat);
                w.WriteEndObject();
            }

            w.WriteStartObject("metadata");
            w.WriteString("author", template.Metadata.Author);
            w.WriteString("description", template.Metadata.Description);
            w.WriteStartArray("tags");
            foreach (var tag in template.Metadata.Tags) w.WriteStringValue(tag);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a version back with the hash recorded when it was registered (so tampering shows as not intact).</summary>
    /// <exception cref="PromptStoreException">The JSON is not a prompt version's content.</exception>
    public static PromptTemplate Read(string name, int version, string contentHash, string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var messages = new List<PromptMessageTemplate>();
            foreach (var m in root.GetProperty("messages").EnumerateArray())
            {
                messages.Add(new PromptMessageTemplate(new ChatRole(m.GetProperty("role").GetString()!), m.GetProperty("content").GetString()!));
            }

            var variables = new List<PromptVariable>();
            foreach (var v in root.GetProperty("variables").EnumerateArray())
            {
                variables.Add(new PromptVariable(v.GetProperty("name").GetString()!, v.GetProperty("required").GetBoolean(), v.GetProperty("default").GetString()));
            }

            PromptModelSettings? settings = null;
            if (root.TryGetProperty("settings", out var s) && s.ValueKind == JsonValueKind.Object)
            {
                settings = new PromptModelSettings
                {
                    ModelId = s.GetProperty("modelId").GetString(),
                    Temperature = s.GetProperty("temperature") is { ValueKind: JsonValueKind.Number } t ? t.GetSingle() : null,
                    MaxOutputTokens = s.GetProperty("maxOutputTokens") is { ValueKind: JsonValueKind.Number } max ? max.GetInt32() : null,
                    ResponseFormat = s.GetProperty("responseFormat").GetString(),
                };
            }

            var meta = root.GetProperty("metadata");
            var tags = new List<string>();
            foreach (var tag in meta.GetProperty("tags").EnumerateArray()) tags.Add(tag.GetString()!);
            var metadata = new PromptMetadata { Author = meta.GetProperty("author").GetString(), Description = meta.GetProperty("description").GetString(), Tags = tags };
            return new PromptTemplate(name, version, contentHash, messages, variables, settings, metadata);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new PromptStoreException($"Prompt {name}@{version} is stored with content that cannot be read ({ex.Message}); restore the row from a backup, or register the prompt again as a new version.", ex) { Version = version };
        }
    }
}
