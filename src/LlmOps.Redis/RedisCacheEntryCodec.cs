using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using LlmOps.Caching;
using Microsoft.Extensions.AI;

namespace LlmOps.Redis;

/// <summary>
/// Turns a <see cref="SemanticCacheEntry"/> into one JSON document and back, so every instance reads what another wrote.
/// The response and streamed chunks use MEAI's own JSON contract (<see cref="AIJsonUtilities.DefaultOptions"/>); the
/// embedding is little-endian float32 in base64.
/// </summary>
internal static class RedisCacheEntryCodec
{
    private static readonly JsonSerializerOptions Ai = AIJsonUtilities.DefaultOptions;

    public static byte[] Encode(SemanticCacheEntry entry)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("k", entry.Key.ToString());
            w.WriteString("p", entry.Partition.ToString());
            w.WriteString("s", entry.ScopeHash.ToString());
            w.WriteString("t", entry.TenantHash.ToString());
            w.WriteNumber("c", entry.CreatedAt.ToUnixTimeMilliseconds());
            if (entry.ExpiresAt is { } expires)
            {
                w.WriteNumber("x", expires.ToUnixTimeMilliseconds());
            }

            WriteOptional(w, "m", entry.ModelId);
            WriteOptional(w, "pn", entry.PromptName);
            WriteOptional(w, "pv", entry.PromptVersion);
            WriteOptional(w, "pt", entry.PromptText);
            w.WritePropertyName("r");
            JsonSerializer.Serialize(w, entry.Response, Ai.GetTypeInfo(typeof(ChatResponse)));
            if (entry.Updates is { } updates)
            {
                w.WritePropertyName("u");
                w.WriteStartArray();
                foreach (var update in updates)
                {
                    JsonSerializer.Serialize(w, update, Ai.GetTypeInfo(typeof(ChatResponseUpdate)));
                }

                w.WriteEndArray();
            }

            if (entry.Embedding is { } embedding)
            {
                w.WriteBase64String("e", MemoryMarshal.AsBytes(embedding.Span));
            }

            if (entry.Fingerprint is { } f)
            {
                w.WriteStartObject("f");
                w.WriteNumber("po", f.Polarity);
                w.WriteBoolean("ne", f.Negated);
                WriteHashes(w, "nu", f.Numbers);
                WriteHashes(w, "qu", f.Quoted);
                WriteHashes(w, "en", f.Entities);
                WriteHashes(w, "wo", f.Words);
                WriteHashes(w, "sq", f.Sequence);
                WriteHashes(w, "sk", f.Sketches);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads an entry; <see langword="null"/> when the bytes are not an entry this codec wrote.</summary>
    public static SemanticCacheEntry? Decode(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            var response = (ChatResponse?)root.GetProperty("r").Deserialize(Ai.GetTypeInfo(typeof(ChatResponse)))
                ?? throw new JsonException("The cached response is null.");
            List<ChatResponseUpdate>? updates = null;
            if (root.TryGetProperty("u", out var u))
            {
                updates = [];
                foreach (var item in u.EnumerateArray())
                {
                    updates.Add((ChatResponseUpdate?)item.Deserialize(Ai.GetTypeInfo(typeof(ChatResponseUpdate))) ?? throw new JsonException("A cached chunk is null."));
                }
            }

            ReadOnlyMemory<float>? embedding = null;
            if (root.TryGetProperty("e", out var e))
            {
                embedding = MemoryMarshal.Cast<byte, float>(e.GetBytesFromBase64()).ToArray();
            }

            SemanticCacheFingerprint? fingerprint = null;
            if (root.TryGetProperty("f", out var f))
            {
                // An entry written before the pair check has no word sequence ("sq"/"sk"); the check then rejects it.
                var sequence = f.TryGetProperty("sq", out _) ? Hashes(f, "sq") : [];
                var sketches = f.TryGetProperty("sk", out _) ? Hashes(f, "sk") : [];
                fingerprint = new SemanticCacheFingerprint(
                    f.GetProperty("po").GetUInt64(), f.GetProperty("ne").GetBoolean(), Hashes(f, "nu"), Hashes(f, "qu"), Hashes(f, "en"), Hashes(f, "wo"), sequence, sketches);
            }

            return new SemanticCacheEntry
            {
                Key = Key(root, "k"),
                Partition = Key(root, "p"),
                ScopeHash = Key(root, "s"),
                TenantHash = Key(root, "t"),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("c").GetInt64()),
                ExpiresAt = root.TryGetProperty("x", out var x) ? DateTimeOffset.FromUnixTimeMilliseconds(x.GetInt64()) : null,
                ModelId = Optional(root, "m"),
                PromptName = Optional(root, "pn"),
                PromptVersion = Optional(root, "pv"),
                PromptText = Optional(root, "pt"),
                Response = response,
                Updates = updates,
                Embedding = embedding,
                Fingerprint = fingerprint,
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    public static SemanticCacheKey ParseKey(string hex) => new(UInt128.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));

    private static SemanticCacheKey Key(JsonElement root, string name) => ParseKey(root.GetProperty(name).GetString()!);

    private static string? Optional(JsonElement root, string name) => root.TryGetProperty(name, out var v) ? v.GetString() : null;

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteHashes(Utf8JsonWriter w, string name, IReadOnlyList<ulong> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private static ulong[] Hashes(JsonElement f, string name)
    {
        var array = f.GetProperty(name);
        var result = new ulong[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            result[i++] = item.GetUInt64();
        }

        return result;
    }
}
