using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>The mutable state of one routed request while it runs (attempt counters, tried deployments, the current target).</summary>
internal sealed class RoutedRequest
{
    public RoutedRequest(ModelRoutingChatClient owner, IReadOnlyList<ChatMessage> messages, ChatOptions? options, LlmOpsInfo info, RoutingInfo routing, bool streaming, int tokens)
    {
        Owner = owner;
        Messages = messages;
        Options = options;
        Info = info;
        Routing = routing;
        Streaming = streaming;
        Tokens = tokens;
    }

    public ModelRoutingChatClient Owner { get; }

    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Gets the joined options (carrying the request's <see cref="LlmOpsInfo"/>); never the caller's instance when changed.</summary>
    public ChatOptions? Options { get; }

    public LlmOpsInfo Info { get; }

    public RoutingInfo Routing { get; }

    public bool Streaming { get; }

    /// <summary>Gets the tokens counted toward TPM limits per attempt.</summary>
    public int Tokens { get; }

    /// <summary>Gets or sets the token of the whole request (the caller's, linked to the total timeout).</summary>
    public CancellationToken RequestToken { get; set; }

    /// <summary>Gets or sets the caller's own token (a stream keeps running on it after the first chunk).</summary>
    public CancellationToken CallerToken { get; set; }

    /// <summary>Gets or sets a value indicating whether the request may cascade up the tiers.</summary>
    public bool Cascade { get; set; }

    /// <summary>Gets or sets the options sent to <see cref="Deployment"/> (with its model id).</summary>
    public ChatOptions? DeploymentOptions { get; set; }

    public int Attempts { get; set; }

    public RoutedGroup Group { get; set; } = null!;

    public RoutedDeployment Deployment { get; set; } = null!;

    /// <summary>Gets or sets the attempts made on <see cref="Deployment"/> so far.</summary>
    public int DeploymentAttempts { get; set; }

    public RoutedDeployment? FirstTried { get; set; }

    public HashSet<RoutedDeployment>? Tried { get; set; }

    public int MinContextWindow { get; set; }

    /// <summary>Gets or sets the failure the retry strategy should retry (set by the attempt that failed), or <see langword="null"/>.</summary>
    public Exception? RetryException { get; set; }

    public RoutingFailure? RetryFailure { get; set; }

    /// <summary>Gets or sets the last failure of an attempt, with how it was read.</summary>
    public Exception? LastException { get; set; }

    public RoutingFailure LastFailure { get; set; }

    /// <summary>Gets or sets the attempt number of the answer kept so far (for escalation).</summary>
    public int AnsweredAttempt { get; set; }

    public Activity? ParentActivity { get; } = Activity.Current;

    public void MarkTried(RoutedDeployment deployment)
    {
        if (FirstTried is null)
        {
            FirstTried = deployment;
        }
        else if (!ReferenceEquals(FirstTried, deployment))
        {
            (Tried ??= []).Add(deployment);
        }
    }

    public void ResetTried()
    {
        FirstTried = null;
        Tried?.Clear();
        MinContextWindow = 0;
    }
}
