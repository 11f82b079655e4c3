using LlmOps.Metering;

namespace LlmOps.Routing;

/// <summary>
/// What the routing stage did for one request: the group and tier chosen and why, every provider attempt, and which
/// deployment answered. Read it with <c>response.GetRouting()</c>. Thread-safe.
/// </summary>
public sealed class RoutingInfo
{
    // The first attempt is stored inline and later ones in a small array, so that the common single-attempt request
    // allocates nothing beyond this object. A spin lock guards them: attempts are added by at most two runs at once
    // (hedging), and no user code runs under it.
    private RoutingAttempt _first;
    private RoutingAttempt[]? _more;
    private int _count;
    private int _busy;

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

    /// <summary>Gets a snapshot of the provider attempts, in the order they started.</summary>
    public IReadOnlyList<RoutingAttempt> Attempts
    {
        get
        {
            Enter();
            try
            {
                var copy = new RoutingAttempt[_count];
                for (var i = 0; i < copy.Length; i++)
                {
                    copy[i] = At(i);
                }

                return copy;
            }
            finally
            {
                Exit();
            }
        }
    }

    /// <summary>Gets the number of provider attempts made.</summary>
    public int AttemptCount => Volatile.Read(ref _count);

    /// <summary>Gets the attempts whose answer a cascade verifier rejected (each with the verifier's reason).</summary>
    public IReadOnlyList<RoutingAttempt> Escalations => [.. Attempts.Where(static a => a.Result == RoutingAttemptResult.Escalated)];

    internal void Downgrade(string group, ModelTier tier, string reason)
    {
        // Before any attempt starts: the request is not shared yet.
        Group = group;
        Tier = tier;
        Reason = reason;
    }

    /// <summary>Records an attempt as it ends, kept in the order the attempts started.</summary>
    internal void Add(RoutingAttempt attempt)
    {
        Enter();
        try
        {
            if (_count > 0 && (_more is null || _more.Length < _count))
            {
                Array.Resize(ref _more, Math.Max(4, _count * 2));
            }

            var index = _count;
            while (index > 0 && At(index - 1).Number > attempt.Number)
            {
                Put(index, At(index - 1));
                index--;
            }

            Put(index, attempt);
            Volatile.Write(ref _count, _count + 1);
        }
        finally
        {
            Exit();
        }
    }

    internal void Answered(string group, string deployment, string modelId)
    {
        // Written by the request's own flow after its attempts ended; read once the response is returned.
        AnsweredGroup = group;
        Deployment = deployment;
        ModelId = modelId;
    }

    /// <summary>Marks the last attempt as the one whose failure ended the request.</summary>
    internal void MarkLastFailed()
    {
        Enter();
        try
        {
            if (_count > 0 && At(_count - 1).Result is RoutingAttemptResult.FailedOver or RoutingAttemptResult.Retried)
            {
                Put(_count - 1, At(_count - 1) with { Result = RoutingAttemptResult.Failed });
            }
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Changes the result of attempt <paramref name="number"/> (an answer later rejected, or discarded by a hedging race).</summary>
    internal void Reclassify(int number, RoutingAttemptResult result, string? reason)
    {
        Enter();
        try
        {
            for (var i = _count - 1; i >= 0; i--)
            {
                if (At(i).Number == number)
                {
                    Put(i, At(i) with { Result = result, Reason = reason });
                    break;
                }
            }
        }
        finally
        {
            Exit();
        }

        Deployment = null;
        AnsweredGroup = null;
        ModelId = null;
    }

    private RoutingAttempt At(int index) => index == 0 ? _first : _more![index - 1];

    private void Put(int index, RoutingAttempt attempt)
    {
        if (index == 0)
        {
            _first = attempt;
        }
        else
        {
            _more![index - 1] = attempt;
        }
    }

    private void Enter()
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            var spinner = default(SpinWait);
            do
            {
                spinner.SpinOnce();
            }
            while (Interlocked.CompareExchange(ref _busy, 1, 0) != 0);
        }
    }

    private void Exit() => Volatile.Write(ref _busy, 0);
}
