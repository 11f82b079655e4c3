using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>
/// Chooses a tier (or a group) for a request that asks for <c>auto</c> or names no model. The caller's explicit
/// choice (a group name as <c>ModelId</c>, or <c>WithModelTier</c>) is never passed to a policy: it always wins.
/// </summary>
/// <remarks>Implementations must be thread-safe and must not modify the messages or options.</remarks>
public interface IRoutingPolicy
{
    /// <summary>Chooses for one request.</summary>
    /// <param name="messages">The request messages.</param>
    /// <param name="options">The request options, or <see langword="null"/>.</param>
    /// <returns>The decision, or <see langword="null"/> to leave the choice to the next policy or the default group.</returns>
    RoutingDecision? Choose(IReadOnlyList<ChatMessage> messages, ChatOptions? options);
}
