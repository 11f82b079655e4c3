using Microsoft.Extensions.AI;

namespace LlmOps.Metering;

/// <summary>Typed accessors for the cost the metering stage attaches to responses.</summary>
public static class CostChatResponseExtensions
{
    /// <summary>
    /// Gets the cost of the provider attempt that produced a response, or <see langword="null"/> when the response did
    /// not pass through <see cref="CostMeteringChatClient"/> (for example a cache hit).
    /// </summary>
    /// <param name="response">The response.</param>
    /// <returns>The cost record or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static CostRecord? GetCost(this ChatResponse response) => response.GetLlmOpsInfo()?.Get<CostRecord>();

    /// <summary>Gets the cost attached to a streaming update (the pipeline attaches it to the last update of a stream).</summary>
    /// <param name="update">The update.</param>
    /// <returns>The cost record or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    public static CostRecord? GetCost(this ChatResponseUpdate update) => update.GetLlmOpsInfo()?.Get<CostRecord>();

    /// <summary>Gets the cost recorded for a request so far.</summary>
    /// <param name="info">The request info.</param>
    /// <returns>The cost record or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="info"/> is <see langword="null"/>.</exception>
    public static CostRecord? GetCost(this LlmOpsInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.Get<CostRecord>();
    }
}
