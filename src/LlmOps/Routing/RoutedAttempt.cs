using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>
/// The state of one run of a deployment's Polly pipeline for a routed request (the attempt and its retries on that
/// deployment). Two runs of one request may be in flight at once when the group hedges; each has its own state. A
/// request owns two of these slots (<see cref="RoutedRequest.Attempt"/>) and reuses them step after step.
/// </summary>
internal sealed class RoutedAttempt(RoutedRequest request)
{
    private CancellationTokenSource? _abandon;
    private volatile bool _lost;

    public RoutedRequest Request { get; } = request;

    public RoutedGroup Group { get; private set; } = null!;

    public RoutedDeployment Deployment { get; private set; } = null!;

    /// <summary>Gets the options sent to <see cref="Deployment"/> (with its model id).</summary>
    public ChatOptions? DeploymentOptions { get; private set; }

    /// <summary>Gets a value indicating whether this run is the second attempt a hedging group started.</summary>
    public bool Hedged { get; private set; }

    /// <summary>Gets the token of this run: the request's, or one linked to it that cancels the run alone when it loses a hedging race.</summary>
    public CancellationToken Token { get; private set; }

    /// <summary>
    /// Gets or sets the token a provider call of this run honours when it runs outside a Polly pipeline: <see cref="Token"/>,
    /// or the token of the attempt timeout while the first attempt runs without Polly.
    /// </summary>
    public CancellationToken CallToken { get; set; }

    /// <summary>Gets or sets the timestamp (the routing clock's) at which this run's latest provider attempt started; 0 before one starts.</summary>
    public long StartTimestamp { get; set; }

    /// <summary>Gets the attempts made on <see cref="Deployment"/> in this run so far.</summary>
    public int DeploymentAttempts { get; set; }

    /// <summary>Gets the number (within the request) of this run's latest provider attempt.</summary>
    public int Number { get; set; }

    /// <summary>Gets or sets the failure the retry strategy should retry (set by the attempt that failed), or <see langword="null"/>.</summary>
    public Exception? RetryException { get; set; }

    public RoutingFailure? RetryFailure { get; set; }

    /// <summary>Gets a value indicating whether this run lost a hedging race and was cancelled (or its answer discarded).</summary>
    public bool Lost => _lost;

    /// <summary>Gives this run a token of its own, so that a hedging race can cancel it without cancelling the request.</summary>
    public void MakeAbandonable()
    {
        _abandon = CancellationTokenSource.CreateLinkedTokenSource(Request.RequestToken);
        Token = _abandon.Token;
        CallToken = Token;
    }

    /// <summary>Marks the run as the loser of a hedging race and cancels it.</summary>
    public void Abandon()
    {
        _lost = true;
        _abandon?.Cancel();
    }

    public void Release()
    {
        _abandon?.Dispose();
        _abandon = null;
    }

    public void Start(RoutedGroup group, RoutedDeployment deployment, ChatOptions? options, bool hedged)
    {
        Clear();
        Group = group;
        Deployment = deployment;
        DeploymentOptions = options;
        Hedged = hedged;
        Token = Request.RequestToken;
        CallToken = Token;
    }

    public void Clear()
    {
        Release();
        _lost = false;
        Group = null!;
        Deployment = null!;
        DeploymentOptions = null;
        Hedged = false;
        Token = default;
        CallToken = default;
        StartTimestamp = 0;
        DeploymentAttempts = 0;
        Number = 0;
        RetryException = null;
        RetryFailure = null;
    }
}
