using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmOps.Testing;

/// <summary>Builds the canonical form of a request and its SHA-256 key.</summary>
internal static class ReplayRequestKey
{
    // What identifies a request: the messages (role, text, tool calls and results, attached data and links) and the model settings that change
    // the answer. AdditionalProperties are left out on purpose: they carry per-request plumbing (ids, LlmOpsInfo).
    public static byte[] Canonicalize(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            WriteString(w, "model", options?.ModelId);
            WriteString(w, "instructions", options?.Instructions);
            WriteNumber(w, "temperature", options?.Temperature);
            WriteNumber(w, "topP", options?.TopP);
            WriteNumber(w, "topK", options?.TopK);
            WriteNumber(w, "maxOutputTokens", options?.MaxOutputTokens);
            WriteNumber(w, "frequencyPenalty", options?.FrequencyPenalty);
            WriteNumber(w, "presencePenalty", options?.PresencePenalty);
            if (options?.Seed is { } seed)
            {
                w.WriteNumber("seed", seed);
            }

            if (options?.StopSequences is { Count: > 0 } stops)
            {
                w.WriteStartArray("stop");
                foreach (var stop in stops)
                {
                    w.WriteStringValue(stop);
                }

                w.WriteEndArray();
            }

            WriteResponseFormat(w, options?.ResponseFormat);
            if (options?.Tools is { Count: > 0 } tools)
            {
                w.WriteStartArray("tools");
                foreach (var tool in tools)
                {
                    w.WriteStringValue(tool.Name);
                }

                w.WriteEndArray();
            }

            if (options?.ToolMode is { } toolMode)
            {
                w.WriteString("toolMode", toolMode switch
                {
                    NoneChatToolMode => "none",
                    RequiredChatToolMode r => r.RequiredFunctionName is null ? "required" : "required:" + r.RequiredFunctionName,
                    _ => "auto",
                });
            }

            w.WriteStartArray("messages");
            foreach (var message in messages)
            {
                WriteMessage(w, message);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static string Hash(byte[] canonical) => Convert.ToHexStringLower(SHA256.HashData(canonical));

    private static void WriteMessage(Utf8JsonWriter w, ChatMessage message)
    {
        w.WriteStartObject();
        w.WriteString("role", message.Role.Value);
        w.WriteString("text", message.Text);
        List<AIContent>? others = null;
        foreach (var content in message.Contents)
        {
            if (content is FunctionCallContent or FunctionResultContent or DataContent or UriContent)
            {
                (others ??= []).Add(content);
            }
        }

        if (others is not null)
        {
            w.WriteStartArray("parts");
            foreach (var content in others)
            {
                w.WriteStartObject();
                if (content is FunctionCallContent call)
                {
                    w.WriteString("call", call.Name);
                    w.WriteString("id", call.CallId);
                    w.WriteString("arguments", call.Arguments is null ? null : JsonSerializer.Serialize(call.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))));
                }
                else if (content is FunctionResultContent result)
                {
                    w.WriteString("result", result.CallId);
                    w.WriteString("value", result.Result is null ? null : JsonSerializer.Serialize(result.Result, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(object))));
                }
                else if (content is DataContent data)
                {
                    // The bytes themselves would bloat the cassette; their hash identifies them as well.
                    w.WriteString("data", data.MediaType);
                    w.WriteString("sha256", Convert.ToHexStringLower(SHA256.HashData(data.Data.Span)));
                }
                else if (content is UriContent uri)
                {
                    w.WriteString("uri", uri.Uri.ToString());
                    w.WriteString("mediaType", uri.MediaType);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteResponseFormat(Utf8JsonWriter w, ChatResponseFormat? format)
    {
        switch (format)
        {
            case null:
                return;
            case ChatResponseFormatJson json:
                w.WriteStartObject("responseFormat");
                w.WriteString("type", "json");
                WriteString(w, "name", json.SchemaName);
                if (json.Schema is { } schema)
                {
                    w.WriteString("schema", schema.GetRawText());
                }

                w.WriteEndObject();
                return;
            default:
                w.WriteString("responseFormat", "text");
                return;
        }
    }

    private static void WriteString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, float? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }
}
