using Microsoft.Extensions.AI;

namespace LlmOps.Retrieval;

/// <summary>Reads the grounding stage's facts from a response.</summary>
public static class GroundingChatResponseExtensions
{
    /// <summary>Gets what the grounding stage did for this answer, or <see langword="null"/> when it did not run.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The result, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static GroundingResult? GetGrounding(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.GetLlmOpsInfo()?.Get<GroundingResult>();
    }
}
