using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>Typed accessors for the facts LlmOps attaches to responses.</summary>
public static class LlmOpsChatResponseExtensions
{
    /// <summary>
    /// Gets the <see cref="LlmOpsInfo"/> the pipeline attached to a response: prompt provenance, model,
    /// cache outcome, guardrail findings, cost. Returns <see langword="null"/> when the response did not
    /// pass through an LlmOps pipeline.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <returns>The info or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static LlmOpsInfo? GetLlmOpsInfo(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.AdditionalProperties?.TryGetValue(LlmOpsChatOptionsExtensions.InfoKey, out var value) == true
            ? value as LlmOpsInfo
            : (response as LlmOpsChatResponse)?.Info;
    }

    /// <summary>
    /// Gets the <see cref="LlmOpsInfo"/> attached to a streaming update. The pipeline attaches it to the
    /// last update of a stream, so <c>ToChatResponse()</c> on the updates carries it too.
    /// </summary>
    /// <param name="update">The update.</param>
    /// <returns>The info or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    public static LlmOpsInfo? GetLlmOpsInfo(this ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return update.AdditionalProperties?.TryGetValue(LlmOpsChatOptionsExtensions.InfoKey, out var value) == true
            ? value as LlmOpsInfo
            : null;
    }

    /// <summary>Attaches <paramref name="info"/> to a response without disturbing its other properties.</summary>
    internal static void AttachLlmOpsInfo(this ChatResponse response, LlmOpsInfo info)
    {
        if (response is LlmOpsChatResponse own && ReferenceEquals(own.Info, info)
            && response.AdditionalProperties?.ContainsKey(LlmOpsChatOptionsExtensions.InfoKey) != true)
        {
            return; // built by the pipeline for this request: it carries the info already
        }

        response.AdditionalProperties ??= new AdditionalPropertiesDictionary();
        response.AdditionalProperties[LlmOpsChatOptionsExtensions.InfoKey] = info;
    }

    /// <summary>Attaches <paramref name="info"/> to a streaming update.</summary>
    internal static void AttachLlmOpsInfo(this ChatResponseUpdate update, LlmOpsInfo info)
    {
        update.AdditionalProperties ??= new AdditionalPropertiesDictionary();
        update.AdditionalProperties[LlmOpsChatOptionsExtensions.InfoKey] = info;
    }
}
