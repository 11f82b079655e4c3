namespace LlmOps;

/// <summary>
/// Runs a store's one-time initialization (the SQLite and PostgreSQL stores' schema migration) once, on first use,
/// shared by every caller; a failed run is forgotten so the next caller tries again (the server may be back).
/// </summary>
internal sealed class StoreInitialization(Func<Task> initialize)
{
    private readonly Lock _gate = new();
    private Task? _run;

    /// <summary>Completes when the initialization has succeeded; synchronously once it has.</summary>
    public ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        var run = _run ?? Start();
        return run.IsCompletedSuccessfully ? default : WaitAsync(run, cancellationToken);
    }

    private Task Start()
    {
        lock (_gate)
        {
            return _run ??= Task.Run(initialize);
        }
    }

    private async ValueTask WaitAsync(Task run, CancellationToken cancellationToken)
    {
        try
        {
            await run.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (run.IsFaulted)
        {
            lock (_gate)
            {
                if (ReferenceEquals(_run, run)) _run = null;
            }

            throw;
        }
    }
}
