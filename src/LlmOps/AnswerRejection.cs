namespace LlmOps;

/// <summary>
/// A request feature through which an outer stage that rejects the answer (a guardrail blocking the output) tells
/// inner stages to undo what they did with it, such as the cache removing the entry it just wrote or served. Inner
/// stages register an undo action; <see cref="RejectAsync"/> runs each once.
/// </summary>
internal sealed class AnswerRejection
{
    private readonly Lock _gate = new();
    private List<Func<CancellationToken, ValueTask>>? _undo;
    private bool _rejected;

    /// <summary>Gets a value indicating whether the answer was rejected.</summary>
    public bool IsRejected
    {
        get
        {
            lock (_gate)
            {
                return _rejected;
            }
        }
    }

    /// <summary>Registers an undo action; it runs at once when the answer was already rejected.</summary>
    public ValueTask OnRejectedAsync(Func<CancellationToken, ValueTask> undo, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_rejected)
            {
                (_undo ??= []).Add(undo);
                return ValueTask.CompletedTask;
            }
        }

        return undo(cancellationToken);
    }

    /// <summary>Marks the answer rejected and runs every registered undo action once, in registration order.</summary>
    public async ValueTask RejectAsync(CancellationToken cancellationToken = default)
    {
        List<Func<CancellationToken, ValueTask>>? undo;
        lock (_gate)
        {
            _rejected = true;
            undo = _undo;
            _undo = null;
        }

        if (undo is null)
        {
            return;
        }

        foreach (var action in undo)
        {
            await action(cancellationToken).ConfigureAwait(false);
        }
    }
}
