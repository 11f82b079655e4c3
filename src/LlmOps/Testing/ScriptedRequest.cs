using Microsoft.Extensions.AI;

namespace LlmOps.Testing;

/// <summary>
/// One request a <see cref="ScriptedChatClient"/> received: a snapshot of the messages and options as they were
/// at the time of the call, so later changes by the caller do not alter the record.
/// </summary>
public sealed class ScriptedRequest
{
    internal ScriptedRequest(int callNumber, IReadOnlyList<ChatMessage> messages, ChatOptions? options, bool isStreaming)
    {
        CallNumber = callNumber;
        Messages = messages;
        Options = options;
        IsStreaming = isStreaming;
    }

    /// <summary>Gets the 1-based number of the call, counting streaming and non-streaming calls together.</summary>
    public int CallNumber { get; }

    /// <summary>Gets a copy of the messages sent.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Gets a copy of the options sent, or <see langword="null"/> when none were.</summary>
    public ChatOptions? Options { get; }

    /// <summary>Gets a value indicating whether the call was <see cref="IChatClient.GetStreamingResponseAsync"/>.</summary>
    public bool IsStreaming { get; }

    /// <summary>Gets the text of the last user message, or <see langword="null"/> when there is none.</summary>
    public string? LastUserText => ScriptedChatClient.LastUserText(Messages);

    internal static ScriptedRequest Snapshot(int callNumber, IReadOnlyList<ChatMessage> messages, ChatOptions? options, bool isStreaming)
    {
        var copies = new ChatMessage[messages.Count];
        for (var i = 0; i < copies.Length; i++)
        {
            var m = messages[i];
            copies[i] = new ChatMessage(m.Role, [.. m.Contents])
            {
                AuthorName = m.AuthorName,
                MessageId = m.MessageId,
                CreatedAt = m.CreatedAt,
                RawRepresentation = m.RawRepresentation,
                AdditionalProperties = m.AdditionalProperties?.Clone(),
            };
        }

        ChatOptions? optionsCopy = null;
        if (options is not null)
        {
            // Clone() is shallow: copy the collections the caller may keep changing.
            optionsCopy = options.Clone();
            optionsCopy.AdditionalProperties = options.AdditionalProperties?.Clone();
            optionsCopy.StopSequences = options.StopSequences is null ? null : [.. options.StopSequences];
            optionsCopy.Tools = options.Tools is null ? null : [.. options.Tools];
        }

        return new ScriptedRequest(callNumber, copies, optionsCopy, isStreaming);
    }
}
