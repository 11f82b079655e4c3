using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmOps.Caching;

/// <summary>
/// Copies answers into and out of the cache, so no caller ever holds an object the cache keeps: every copy has its own
/// messages, contents, usage and <c>AdditionalProperties</c> dictionaries, and no provider raw representation.
/// </summary>
/// <remarks>
/// Text and usage (the common, mutable cases) are copied field by field. Any other content is copied through its JSON
/// form (<see cref="AIJsonUtilities.DefaultOptions"/>), which MEAI defines for every built-in content type; a content
/// that has no JSON form cannot be copied, and the answer is then not stored (<see cref="ForStore"/> returns
/// <see langword="null"/>). Values inside an <c>AdditionalProperties</c> dictionary are shared: the dictionary is the
/// caller's own, its values are what the provider returned.
/// </remarks>
internal static class CachedResponseCopier
{
    /// <summary>The copy kept in the cache: usage kept, per-request LlmOps info dropped.</summary>
    /// <returns>The copy, or <see langword="null"/> when a content cannot be copied.</returns>
    public static ChatResponse? ForStore(ChatResponse response)
    {
        var messages = CopyMessages(response.Messages, keepUsage: true);
        if (messages is null)
        {
            return null;
        }

        return new ChatResponse(messages)
        {
            ResponseId = response.ResponseId,
            ModelId = response.ModelId,
            CreatedAt = response.CreatedAt,
            FinishReason = response.FinishReason,
            Usage = CopyUsage(response.Usage),
            AdditionalProperties = CopyProperties(response.AdditionalProperties, dropInfo: true),
        };
    }

    /// <summary>A caller's copy of a stored answer, carrying the request's info (<see cref="LlmOpsChatResponse"/>). Usage is left off: a hit consumed no tokens.</summary>
    public static ChatResponse ForCaller(ChatResponse stored, LlmOpsInfo info)
    {
        var messages = CopyMessages(stored.Messages, keepUsage: true) ?? throw Uncopyable();
        return new LlmOpsChatResponse(messages, info)
        {
            ResponseId = stored.ResponseId,
            ModelId = stored.ModelId,
            CreatedAt = stored.CreatedAt,
            FinishReason = stored.FinishReason,
            AdditionalProperties = CopyProperties(stored.AdditionalProperties, dropInfo: false),
        };
    }

    /// <summary>The copy of a streamed chunk kept in the cache (usage kept).</summary>
    /// <returns>The copy, or <see langword="null"/> when a content cannot be copied.</returns>
    public static ChatResponseUpdate? UpdateForStore(ChatResponseUpdate update)
    {
        var contents = CopyContents(update.Contents, keepUsage: true);
        return contents is null ? null : CopyUpdate(update, contents);
    }

    /// <summary>A caller's copy of a stored chunk, without usage; <see langword="null"/> when nothing is left to replay.</summary>
    public static ChatResponseUpdate? UpdateForCaller(ChatResponseUpdate stored)
    {
        var contents = CopyContents(stored.Contents, keepUsage: false) ?? throw Uncopyable();
        return contents.Count == 0 && stored.FinishReason is null ? null : CopyUpdate(stored, contents);
    }

    /// <summary>A copy of a dictionary, or <see langword="null"/> when it is absent or (after dropping the info) empty.</summary>
    public static AdditionalPropertiesDictionary? CopyProperties(AdditionalPropertiesDictionary? original, bool dropInfo)
    {
        if (original is not { Count: > 0 })
        {
            return null;
        }

        var copy = new AdditionalPropertiesDictionary(original);
        if (dropInfo)
        {
            copy.Remove(LlmOpsChatOptionsExtensions.InfoKey);
        }

        return copy.Count == 0 ? null : copy;
    }

    private static ChatResponseUpdate CopyUpdate(ChatResponseUpdate update, List<AIContent> contents) => new(update.Role, contents)
    {
        AuthorName = update.AuthorName,
        MessageId = update.MessageId,
        ResponseId = update.ResponseId,
        ModelId = update.ModelId,
        CreatedAt = update.CreatedAt,
        FinishReason = update.FinishReason,
        AdditionalProperties = CopyProperties(update.AdditionalProperties, dropInfo: true),
    };

    private static List<ChatMessage>? CopyMessages(IList<ChatMessage> messages, bool keepUsage)
    {
        // Indexed loops, not foreach: an IList<T> enumerator is boxed, and this runs on every hit.
        var copy = new List<ChatMessage>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (CopyContents(message.Contents, keepUsage) is not { } contents)
            {
                return null;
            }

            copy.Add(new ChatMessage(message.Role, contents)
            {
                AuthorName = message.AuthorName,
                MessageId = message.MessageId,
                CreatedAt = message.CreatedAt,
                AdditionalProperties = CopyProperties(message.AdditionalProperties, dropInfo: false),
            });
        }

        return copy;
    }

    private static List<AIContent>? CopyContents(IList<AIContent> contents, bool keepUsage)
    {
        var copy = new List<AIContent>(contents.Count);
        for (var i = 0; i < contents.Count; i++)
        {
            var content = contents[i];
            if (content is UsageContent && !keepUsage)
            {
                continue;
            }

            if (CopyContent(content) is not { } c)
            {
                return null;
            }

            copy.Add(c);
        }

        return copy;
    }

    private static AIContent? CopyContent(AIContent content)
    {
        switch (content)
        {
            case TextContent text:
                return new TextContent(text.Text)
                {
                    AdditionalProperties = CopyProperties(text.AdditionalProperties, dropInfo: false),
                    Annotations = text.Annotations is { Count: > 0 } annotations ? [.. annotations] : null,
                };
            case UsageContent usage:
                return new UsageContent(CopyUsage(usage.Details)!)
                {
                    AdditionalProperties = CopyProperties(usage.AdditionalProperties, dropInfo: false),
                };
            default:
                try
                {
                    var typeInfo = AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(AIContent));
                    var json = JsonSerializer.SerializeToUtf8Bytes(content, typeInfo);
                    return JsonSerializer.Deserialize(json, typeInfo) as AIContent;
                }
                catch (Exception ex) when (ex is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
                {
                    return null;
                }
        }
    }

    private static UsageDetails? CopyUsage(UsageDetails? usage)
    {
        if (usage is null)
        {
            return null;
        }

        // Add sums every count into the empty copy, additional counts included (into a dictionary of its own).
        var copy = new UsageDetails();
        copy.Add(usage);
        return copy;
    }

    private static InvalidOperationException Uncopyable()
        => new("A stored cache entry holds a content that cannot be copied; entries must be written by SemanticCachingChatClient.");
}
