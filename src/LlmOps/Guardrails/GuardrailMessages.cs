using Microsoft.Extensions.AI;

namespace LlmOps.Guardrails;

/// <summary>Copies of messages, responses and updates with their text replaced; the originals are never modified.</summary>
internal static class GuardrailMessages
{
    /// <summary>A copy of <paramref name="message"/> whose text contents are replaced by one <paramref name="text"/>, in place of the first.</summary>
    public static ChatMessage WithText(ChatMessage message, string text)
    {
        var contents = new List<AIContent>(message.Contents.Count);
        var placed = false;
        foreach (var content in message.Contents)
        {
            if (content is TextContent)
            {
                if (!placed)
                {
                    contents.Add(new TextContent(text));
                    placed = true;
                }
            }
            else
            {
                contents.Add(content);
            }
        }

        if (!placed)
        {
            contents.Add(new TextContent(text));
        }

        return new ChatMessage(message.Role, contents)
        {
            AuthorName = message.AuthorName,
            MessageId = message.MessageId,
            CreatedAt = message.CreatedAt,
            AdditionalProperties = message.AdditionalProperties is null ? null : new AdditionalPropertiesDictionary(message.AdditionalProperties),
        };
    }

    /// <summary>A copy of <paramref name="response"/> with other messages; the inner response may be held by a cache.</summary>
    public static ChatResponse WithMessages(ChatResponse response, IList<ChatMessage> messages) => new(messages)
    {
        ResponseId = response.ResponseId,
        ConversationId = response.ConversationId,
        ModelId = response.ModelId,
        CreatedAt = response.CreatedAt,
        FinishReason = response.FinishReason,
        Usage = response.Usage,
        RawRepresentation = response.RawRepresentation,
        AdditionalProperties = response.AdditionalProperties is null ? null : new AdditionalPropertiesDictionary(response.AdditionalProperties),
    };

    /// <summary>
    /// The non-text part of a streamed update (tool calls, usage, the finish reason), or <see langword="null"/> when
    /// nothing but text is in it; the text is released by the stream window instead.
    /// </summary>
    public static ChatResponseUpdate? WithoutText(ChatResponseUpdate update)
    {
        List<AIContent>? rest = null;
        foreach (var content in update.Contents)
        {
            if (content is not TextContent)
            {
                (rest ??= []).Add(content);
            }
        }

        if (rest is null && update.FinishReason is null)
        {
            return null;
        }

        return new ChatResponseUpdate(update.Role, rest ?? [])
        {
            ModelId = update.ModelId,
            ResponseId = update.ResponseId,
            MessageId = update.MessageId,
            FinishReason = update.FinishReason,
            CreatedAt = update.CreatedAt,
            AdditionalProperties = update.AdditionalProperties,
        };
    }

    /// <summary>Whether any message is a system message.</summary>
    public static bool HasSystemMessage(IReadOnlyList<ChatMessage> messages)
    {
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                return true;
            }
        }

        return false;
    }
}
