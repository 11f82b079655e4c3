using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>
/// The state of one routed request while it runs: what every attempt shares (messages, options, the deployments already
/// tried, the attempt count, the last failure). Each run of a deployment's pipeline has its own <see cref="RoutedAttempt"/>.
/// </summary>
internal sealed class RoutedRequest
{
    private int _attempts;

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

    /// <summary>Gets or sets a value indicating whether a hedging group may start a second attempt (the budget covers two).</summary>
    public bool MayHedge { get; set; } = true;

    /// <summary>Gets the provider attempts started so far (two hedged runs may add at once).</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Gets or sets the group of the current step of the chain.</summary>
    public RoutedGroup Group { get; set; } = null!;

    /// <summary>Gets or sets the deployment of the answer kept so far, or of the failure that ended the request.</summary>
    public RoutedDeployment? Deployment { get; set; }

    public RoutedDeployment? FirstTried { get; set; }

    public HashSet<RoutedDeployment>? Tried { get; set; }

    public int MinContextWindow { get; set; }

    /// <summary>Gets or sets the last failure of an attempt, with how it was read.</summary>
    public Exception? LastException { get; set; }

    public RoutingFailure LastFailure { get; set; }

    /// <summary>Gets or sets the attempt number of the answer kept so far (for escalation).</summary>
    public int AnsweredAttempt { get; set; }

    public int AddAttempt() => Interlocked.Increment(ref _attempts);

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
