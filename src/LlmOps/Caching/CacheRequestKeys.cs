using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmOps.Caching;

/// <summary>
/// The keys of one request: the exact key, the semantic partition, and the text the semantic tier embeds; or, for a
/// request that cannot be keyed (a provider property with no stable serialised form), why it is not cacheable.
/// </summary>
internal readonly record struct CacheRequestKeys(SemanticCacheKey Exact, SemanticCacheKey Partition, string? QueryText, string? UncacheableReason = null)
{
    /// <summary>Checks a request's messages eagerly (see <see cref="RequestMessages.Validate(IEnumerable{ChatMessage}, string)"/>).</summary>
    /// <returns>The messages as a list.</returns>
    public static IList<ChatMessage> Validate(IEnumerable<ChatMessage> messages, string paramName) => RequestMessages.Validate(messages, paramName);

    /// <summary>
    /// Hashes a canonical form of every field that changes the answer. Each field is written with a tag and a length
    /// prefix, so no two different requests share a canonical form. The partition is the same form with the last user
    /// turn replaced by a placeholder; the exact key appends that turn.
    /// </summary>
    /// <remarks>
    /// With <c>withPartition</c> <see langword="false"/>, <see cref="Partition"/> is left at its default, which saves one
    /// hash of most of the form for an exact lookup that may not need it (the exact key is the same either way).
    /// </remarks>
    public static CacheRequestKeys Compute(
        IEnumerable<ChatMessage> messages, ChatOptions? options, LlmOpsScope scope, string? modelId,
        SemanticCachePromptIdentity? prompt, int keyVersion, bool withPartition = true)
    {
        var w = CanonicalWriter.Rent();
        try
        {
            return Compute(w, messages, options, scope, modelId, prompt, keyVersion, withPartition);
        }
        catch (UncacheableException ex)
        {
            return new CacheRequestKeys(default, default, null, ex.Message);
        }
        finally
        {
            CanonicalWriter.Return(w);
        }
    }

    private static CacheRequestKeys Compute(
        CanonicalWriter w, IEnumerable<ChatMessage> messages, ChatOptions? options, LlmOpsScope scope, string? modelId,
        SemanticCachePromptIdentity? prompt, int keyVersion, bool withPartition)
    {
        w.Int(0x4C4F4331); // "LOC1": format of this canonical form
        w.Int(keyVersion);
        w.String(scope.Tenant);
        w.String(scope.User);
        w.String(scope.Feature);
        w.String(modelId);
        w.String(prompt?.Name);
        w.String(prompt?.Version);
        WriteOptions(w, options);

        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var lastUser = -1;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].Role == ChatRole.User)
            {
                lastUser = i;
                break;
            }
        }

        w.Int(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            if (i == lastUser)
            {
                w.Int(0x534C4F54); // "SLOT": the last user turn goes at the end
                continue;
            }

            WriteMessage(w, list[i]);
        }

        var partition = withPartition ? w.HashPrefix() : default;
        string? query = null;
        if (lastUser >= 0)
        {
            var message = list[lastUser];
            w.Int(lastUser);
            WriteMessage(w, message);
            query = IsPlainText(message) ? message.Text : null;
        }

        return new CacheRequestKeys(w.HashRest(), partition, string.IsNullOrWhiteSpace(query) ? null : query);
    }

    private static bool IsPlainText(ChatMessage message)
    {
        // Indexed, not foreach: an IList<T> enumerator is boxed, and this runs on every request.
        var contents = message.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is not TextContent)
            {
                return false;
            }
        }

        return contents.Count > 0;
    }

    private static readonly ChatOptions NoOptions = new();

    private static void WriteOptions(CanonicalWriter w, ChatOptions? options)
    {
        // No options and default options ask the same thing of the model, so they share a key.
        var o = options ?? NoOptions;
        w.String(o.Instructions);
        w.Float(o.Temperature);
        w.Float(o.TopP);
        w.Int(o.TopK ?? int.MinValue);
        w.Float(o.FrequencyPenalty);
        w.Float(o.PresencePenalty);
        w.Long(o.Seed ?? long.MinValue);
        w.Int(o.MaxOutputTokens ?? int.MinValue);
        w.Int(o.AllowMultipleToolCalls switch { null => -1, true => 1, false => 0 });
        if (o.StopSequences is { } stops)
        {
            w.Int(stops.Count);
            foreach (var stop in stops)
            {
                w.String(stop);
            }
        }
        else
        {
            w.Int(-1);
        }

        switch (o.ResponseFormat)
        {
            case null:
                w.Int(0);
                break;
            case ChatResponseFormatJson json:
                w.Int(2);
                w.String(json.Schema?.GetRawText());
                w.String(json.SchemaName);
                w.String(json.SchemaDescription);
                break;
            case ChatResponseFormatText:
                w.Int(1);
                break;
            case var other:
                w.Int(3);
                w.String(Serialize(other, typeof(ChatResponseFormat)));
                break;
        }

        switch (o.ToolMode)
        {
            case null:
                w.Int(0);
                break;
            case RequiredChatToolMode required:
                w.Int(3);
                w.String(required.RequiredFunctionName);
                break;
            case NoneChatToolMode:
                w.Int(2);
                break;
            case AutoChatToolMode:
                w.Int(1);
                break;
            case var other:
                w.Int(4);
                w.String(other.GetType().FullName);
                break;
        }

        if (o.Tools is { } tools)
        {
            w.Int(tools.Count);
            foreach (var tool in tools)
            {
                w.String(tool.GetType().FullName);
                w.String(tool.Name);
                w.String(tool.Description);
                if (tool is AIFunctionDeclaration function)
                {
                    w.String(function.JsonSchema.GetRawText());
                    w.String(function.ReturnJsonSchema?.GetRawText());
                }
            }
        }
        else
        {
            w.Int(-1);
        }

        w.String(o.Reasoning is null ? null : Serialize(o.Reasoning, o.Reasoning.GetType()));

        // Provider-specific settings travel in AdditionalProperties and can change the answer; LlmOps' own
        // per-request data (scope, info, cache mode) is keyed separately or not at all.
        if (o.AdditionalProperties is { Count: > 0 } props)
        {
            var count = 0;
            foreach (var pair in props)
            {
                if (!pair.Key.StartsWith("llmops.", StringComparison.Ordinal))
                {
                    count++;
                }
            }

            w.Int(count);
            if (count > 0)
            {
                var keys = new List<string>(count);
                foreach (var pair in props)
                {
                    if (!pair.Key.StartsWith("llmops.", StringComparison.Ordinal))
                    {
                        keys.Add(pair.Key);
                    }
                }

                keys.Sort(StringComparer.Ordinal);
                foreach (var key in keys)
                {
                    w.String(key);
                    var value = props[key];
                    w.String(value is null ? null : Serialize(value, value.GetType(), key));
                }
            }
        }
        else
        {
            w.Int(0);
        }
    }

    private static void WriteMessage(CanonicalWriter w, ChatMessage message)
    {
        w.String(message.Role.Value);
        w.String(message.AuthorName);
        var contents = message.Contents;
        w.Int(contents.Count);
        for (var i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case TextContent text:
                    w.Int(1);
                    w.String(text.Text);
                    break;
                case TextReasoningContent reasoning:
                    w.Int(2);
                    w.String(reasoning.Text);
                    break;
                case FunctionCallContent call:
                    w.Int(3);
                    w.String(call.CallId);
                    w.String(call.Name);
                    w.String(call.Arguments is null ? null : Serialize(call.Arguments, typeof(IDictionary<string, object?>)));
                    break;
                case FunctionResultContent result:
                    w.Int(4);
                    w.String(result.CallId);
                    w.String(result.Result is null ? null : Serialize(result.Result, result.Result.GetType()));
                    break;
                case DataContent data:
                    w.Int(5);
                    w.String(data.MediaType);
                    w.Bytes(data.Data.Span);
                    break;
                case UriContent uri:
                    w.Int(6);
                    w.String(uri.MediaType);
                    w.String(uri.Uri.OriginalString);
                    break;
                default:
                    w.Int(7);
                    w.String(contents[i].GetType().FullName);
                    w.String(Serialize(contents[i], typeof(AIContent)));
                    break;
            }
        }
    }

    private static string Serialize(object value, Type type, string? property = null)
    {
        try
        {
            return JsonSerializer.Serialize(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(type));
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or ArgumentException or JsonException)
        {
            // No stable serialised form (a cycle, a type without a JSON contract): such a request cannot be keyed
            // safely (a lossy stand-in such as ToString() could make two different requests share a key), so it is
            // not cached at all rather than failed.
            var what = property is null ? $"a value of type {value.GetType().Name}" : $"ChatOptions.AdditionalProperties[\"{property}\"] ({value.GetType().Name})";
            throw new UncacheableException($"{what} cannot be serialised for the cache key ({ex.GetType().Name})");
        }
    }

    /// <summary>Thrown inside <see cref="Compute(IEnumerable{ChatMessage}, ChatOptions?, LlmOpsScope, string?, SemanticCachePromptIdentity?, int, bool)"/> only, and caught there.</summary>
    private sealed class UncacheableException(string message) : Exception(message);

    /// <summary>An append-only byte buffer for the canonical form, reused per thread.</summary>
    private sealed class CanonicalWriter
    {
        private const long Seed = 0x4C6C6D4F7073; // "LlmOps"

        [ThreadStatic]
        private static CanonicalWriter? s_cached;

        private byte[] _buffer = new byte[1024];
        private int _length;
        private int _hashed;

        public static CanonicalWriter Rent()
        {
            var w = s_cached ?? new CanonicalWriter();
            s_cached = null;
            w._length = 0;
            w._hashed = 0;
            return w;
        }

        public static void Return(CanonicalWriter w)
        {
            if (w._buffer.Length <= 64 * 1024)
            {
                s_cached = w;
            }
        }

        /// <summary>Hashes everything written so far; writing and <see cref="HashRest"/> may follow.</summary>
        public SemanticCacheKey HashPrefix()
        {
            _hashed = _length;
            return new SemanticCacheKey(XxHash128.HashToUInt128(_buffer.AsSpan(0, _length), Seed));
        }

        /// <summary>Hashes everything written, prefix included (a different seed keeps it apart from any prefix hash).</summary>
        public SemanticCacheKey HashRest()
            => new(XxHash128.HashToUInt128(_buffer.AsSpan(0, _length), Seed + 1));

        public void Int(int value) => BinaryPrimitives.WriteInt32LittleEndian(Grow(4), value);

        public void Long(long value) => BinaryPrimitives.WriteInt64LittleEndian(Grow(8), value);

        public void Float(float? value) => Int(value is { } v ? BitConverter.SingleToInt32Bits(v) : int.MinValue + 1);

        public void String(string? value)
        {
            if (value is null)
            {
                Int(-1);
                return;
            }

            var bytes = MemoryMarshal.AsBytes(value.AsSpan());
            Int(bytes.Length);
            bytes.CopyTo(Grow(bytes.Length));
        }

        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            Int(bytes.Length);
            bytes.CopyTo(Grow(bytes.Length));
        }

        private Span<byte> Grow(int count)
        {
            if (_length + count > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
            }

            var span = _buffer.AsSpan(_length, count);
            _length += count;
            return span;
        }
    }
}
