using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>
/// The state of one routed request while it runs: what every attempt shares (messages, options, the deployments already
/// tried, the attempt count, the last failure). Each run of a deployment's pipeline has its own <see cref="RoutedAttempt"/>.
/// </summary>
/// <remarks>
/// Instances are reused (one cached per thread, <see cref="Rent"/> and <see cref="Return"/>), with their two attempt
/// slots: nothing refers to a request once its call has returned (a hedging race awaits its loser, Polly's contexts go
/// back to their pool), so a request that completes at once allocates neither.
/// </remarks>
internal sealed class RoutedRequest
{
    [ThreadStatic]
    private static RoutedRequest? t_cached;

    private readonly RoutedAttempt _primary;
    private readonly RoutedAttempt _hedge;
    private int _attempts;

    private RoutedRequest()
    {
        _primary = new RoutedAttempt(this);
        _hedge = new RoutedAttempt(this);
    }

    public ModelRoutingChatClient Owner { get; private set; } = null!;

    public IReadOnlyList<ChatMessage> Messages { get; private set; } = [];

    /// <summary>Gets the joined options (carrying the request's <see cref="LlmOpsInfo"/>); never the caller's instance when changed.</summary>
    public ChatOptions? Options { get; private set; }

    public LlmOpsInfo Info { get; private set; } = null!;

    public RoutingInfo Routing { get; private set; } = null!;

    public bool Streaming { get; private set; }

    /// <summary>Gets the tokens counted toward TPM limits per attempt.</summary>
    public int Tokens { get; private set; }

    /// <summary>Gets or sets the task of the inner call whose answer was kept, when it had completed when returned (handed back as is).</summary>
    public Task<ChatResponse>? CompletedCall { get; set; }

    /// <summary>Gets or sets the token of the whole request (the caller's, linked to the total timeout).</summary>
    public CancellationToken RequestToken { get; set; }

    /// <summary>Gets or sets the caller's own token (a stream keeps running on it after the first chunk).</summary>
    public CancellationToken CallerToken { get; set; }

    /// <summary>Gets or sets the timestamp (the routing clock's) at which the request's first provider attempt started; 0 before.</summary>
    public long FirstAttemptStart { get; set; }

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

    public static RoutedRequest Rent(ModelRoutingChatClient owner, IReadOnlyList<ChatMessage> messages, ChatOptions? options, LlmOpsInfo info, RoutingInfo routing, bool streaming, int tokens)
    {
        var r = t_cached ?? new RoutedRequest();
        t_cached = null;
        r.Owner = owner;
        r.Messages = messages;
        r.Options = options;
        r.Info = info;
        r.Routing = routing;
        r.Streaming = streaming;
        r.Tokens = tokens;
        return r;
    }

    /// <summary>Clears the request and caches it for the next one on this thread; call once its call has fully returned.</summary>
    public void Return()
    {
        Owner = null!;
        Messages = [];
        Options = null;
        Info = null!;
        Routing = null!;
        Streaming = false;
        Tokens = 0;
        CompletedCall = null;
        RequestToken = default;
        CallerToken = default;
        FirstAttemptStart = 0;
        Cascade = false;
        MayHedge = true;
        _attempts = 0;
        Group = null!;
        Deployment = null;
        FirstTried = null;
        Tried?.Clear();
        MinContextWindow = 0;
        LastException = null;
        LastFailure = default;
        AnsweredAttempt = 0;
        _primary.Clear();
        _hedge.Clear();
        t_cached = this;
    }

    /// <summary>Sets up the attempt slot of a step (or of the hedge that races it) for a deployment.</summary>
    public RoutedAttempt Attempt(RoutedGroup group, RoutedDeployment deployment, ChatOptions? options, bool hedged)
    {
        var a = hedged ? _hedge : _primary;
        a.Start(group, deployment, options, hedged);
        return a;
    }

    /// <summary>Counts a provider attempt as it starts; returns its number within the request, from 1 (two hedged runs may start at once).</summary>
    /// <returns>The attempt's number.</returns>
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
