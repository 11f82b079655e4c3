using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>The one check every stage's public entry points make on a request's messages.</summary>
internal static class RequestMessages
{
    /// <summary>
    /// Checks a request's messages eagerly, as every public entry point must: a <see langword="null"/> list, a
    /// <see langword="null"/> message or a <see langword="null"/> content is rejected with an exception naming
    /// <paramref name="paramName"/> and the position. A message with no contents (or whose contents were set to
    /// <see langword="null"/>) is valid: MEAI treats it as empty.
    /// </summary>
    /// <param name="messages">The messages.</param>
    /// <param name="paramName">The caller's parameter name.</param>
    /// <param name="options">The request's options: when they carry its info, a list already checked for it is not checked again.</param>
    /// <returns>The messages as a list (the caller's list when it is one, so a one-shot sequence is read once).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A message or a content is <see langword="null"/>.</exception>
    public static IList<ChatMessage> Validate(IEnumerable<ChatMessage> messages, string paramName, ChatOptions? options)
    {
        // A list an outer stage of this request checked already (the same instance travels down the pipeline) is not
        // walked again: the options that carry the request's info remember it.
        if (options is LlmOpsRequestOptions request)
        {
            if (request.ValidatedMessages is { } validated && ReferenceEquals(validated, messages))
            {
                return validated;
            }

            var list = Validate(messages, paramName);
            if (ReferenceEquals(list, messages))
            {
                request.ValidatedMessages = list;
            }

            return list;
        }

        return Validate(messages, paramName);
    }

    /// <inheritdoc cref="Validate(IEnumerable{ChatMessage}, string, ChatOptions?)"/>
    public static IList<ChatMessage> Validate(IEnumerable<ChatMessage> messages, string paramName)
    {
        ArgumentNullException.ThrowIfNull(messages, paramName);
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not { } message)
            {
                throw new ArgumentException($"{paramName}[{i}] is null. Pass only ChatMessage instances (remove the null entry).", paramName);
            }

            var contents = message.Contents;
            for (var j = 0; j < contents.Count; j++)
            {
                if (contents[j] is null)
                {
                    throw new ArgumentException($"{paramName}[{i}].Contents[{j}] is null. Remove the null content or pass an AIContent such as TextContent.", paramName);
                }
            }
        }

        return list;
    }
}
