using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>Typed accessor for the routing facts on a response.</summary>
public static class RoutingChatResponseExtensions
{
    /// <summary>Gets what the routing stage did for the request (deployment, attempts, reasons), or <see langword="null"/>.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The routing info, or <see langword="null"/> when the request did not pass through <see cref="ModelRoutingChatClient"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static RoutingInfo? GetRouting(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.GetLlmOpsInfo()?.Get<RoutingInfo>();
    }
}
