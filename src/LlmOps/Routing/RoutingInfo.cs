using LlmOps.Metering;

namespace LlmOps.Routing;

/// <summary>
/// What the routing stage did for one request: the group and tier chosen and why, every provider attempt, and which
/// deployment answered. Read it with <c>response.GetRouting()</c>. Thread-safe.
/// </summary>
public sealed class RoutingInfo
{
    private readonly Lock _gate = new();
    private readonly List<RoutingAttempt> _attempts = new(2);
    private int _started;

    internal RoutingInfo(string group, ModelTier tier, string reason)
    {
        Group = group;
        Tier = tier;
        Reason = reason;
    }

    /// <summary>Gets the group first chosen for the request.</summary>
    public string Group { get; private set; }

    /// <summary>Gets the tier first chosen, or the empty tier when the group has none.</summary>
    public ModelTier Tier { get; private set; }

    /// <summary>
    /// Gets why the group was chosen: <c>explicit</c> (the caller named it), <c>tier</c> (the caller named a tier),
    /// <c>default</c>, or the policy's reason (for example <c>scorer: Medium (0.41)</c>), followed by any budget downgrade.
    /// </summary>
    public string Reason { get; private set; }

    /// <summary>Gets the deployment whose answer was returned, or <see langword="null"/> while none has answered.</summary>
    public string? Deployment { get; private set; }

    /// <summary>Gets the group of the deployment that answered (a fallback group, or a higher tier after escalation).</summary>
    public string? AnsweredGroup { get; private set; }

    /// <summary>Gets the model id that answered.</summary>
    public string? ModelId { get; private set; }

    /// <summary>Gets a snapshot of the provider attempts, in order.</summary>
    public IReadOnlyList<RoutingAttempt> Attempts
    {
        get
        {
            lock (_gate)
            {
                return [.. _attempts];
            }
        }
    }

    /// <summary>Gets the number of provider attempts made.</summary>
    public int AttemptCount
    {
        get
        {
            lock (_gate)
            {
                return _attempts.Count;
            }
        }
    }

    /// <summary>Gets the attempts whose answer a cascade verifier rejected (each with the verifier's reason).</summary>
    public IReadOnlyList<RoutingAttempt> Escalations => [.. Attempts.Where(static a => a.Result == RoutingAttemptResult.Escalated)];

    internal void Downgrade(string group, ModelTier tier, string reason)
    {
        lock (_gate)
        {
            Group = group;
            Tier = tier;
            Reason = reason;
        }
    }

    /// <summary>Numbers attempts as they start (two hedged attempts may be in flight at once).</summary>
    internal int NextAttemptNumber() => Interlocked.Increment(ref _started);

    /// <summary>Records an attempt as it ends, kept in the order the attempts started.</summary>
    internal void Add(RoutingAttempt attempt)
    {
        lock (_gate)
        {
            var index = _attempts.Count;
            while (index > 0 && _attempts[index - 1].Number > attempt.Number)
            {
                index--;
            }

            _attempts.Insert(index, attempt);
        }
    }

    internal void Answered(string group, string deployment, string modelId)
    {
        lock (_gate)
        {
            AnsweredGroup = group;
            Deployment = deployment;
            ModelId = modelId;
        }
    }

    /// <summary>Marks the last attempt as the one whose failure ended the request.</summary>
    internal void MarkLastFailed()
    {
        lock (_gate)
        {
            if (_attempts.Count > 0 && _attempts[^1].Result is RoutingAttemptResult.FailedOver or RoutingAttemptResult.Retried)
            {
                _attempts[^1] = _attempts[^1] with { Result = RoutingAttemptResult.Failed };
            }
        }
    }

    /// <summary>Changes the result of attempt <paramref name="number"/> (an answer later rejected by a verifier).</summary>
    internal void Reclassify(int number, RoutingAttemptResult result, string? reason)
    {
        lock (_gate)
        {
            var index = _attempts.FindLastIndex(a => a.Number == number);
            if (index >= 0)
            {
                _attempts[index] = _attempts[index] with { Result = result, Reason = reason };
            }

            Deployment = null;
            AnsweredGroup = null;
            ModelId = null;
        }
    }
}
