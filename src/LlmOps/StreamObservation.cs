namespace LlmOps;

/// <summary>
/// Drives an inner stream for a stage that must know how the stream ended. C# cannot <c>yield</c> inside a
/// <c>try</c> with a <c>catch</c>, so a stage cannot catch an inner failure around its own <c>yield</c>; this
/// enumerator catches it instead, records it in <see cref="Failure"/>, and rethrows it unchanged.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>
/// <para>
/// Use it as an enumerator: <c>while (await stream.MoveNextAsync()) { … yield return stream.Current; }</c>
/// inside a <c>try</c>, and <see cref="DisposeAsync"/> in the <c>finally</c>, then read <see cref="End"/> and
/// <see cref="Failure"/>. <see cref="End"/> changes from <see cref="StreamEnd.Open"/> exactly once: to
/// <see cref="StreamEnd.Completed"/> when <see cref="MoveNextAsync"/> returns <see langword="false"/>, to
/// <see cref="StreamEnd.Faulted"/> or <see cref="StreamEnd.Cancelled"/> when it throws, or to
/// <see cref="StreamEnd.Abandoned"/> when the observation is disposed while still open.
/// </para>
/// <para>
/// The stage decides when to act on the end (before or after its own closing update), so the timing of its
/// metrics, ledger or cache writes relative to what the caller sees stays in its own code. The inner enumerator
/// is obtained in the constructor (so a synchronous failure to start reaches the caller without being recorded)
/// and disposed exactly once.
/// </para>
/// </remarks>
internal sealed class StreamObservation<T> : IAsyncDisposable
{
    private readonly IAsyncEnumerator<T> _inner;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="StreamObservation{T}"/> class and starts enumerating <paramref name="source"/>.</summary>
    /// <param name="source">The inner stream.</param>
    /// <param name="cancellationToken">The token passed to <see cref="IAsyncEnumerable{T}.GetAsyncEnumerator"/>.</param>
    public StreamObservation(IAsyncEnumerable<T> source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        _inner = source.GetAsyncEnumerator(cancellationToken);
    }

    /// <summary>Gets the element the last successful <see cref="MoveNextAsync"/> moved to.</summary>
    public T Current => _inner.Current;

    /// <summary>Gets how the stream ended; <see cref="StreamEnd.Open"/> while it is still running.</summary>
    public StreamEnd End { get; private set; }

    /// <summary>Gets the exception the inner stream threw, when <see cref="End"/> is <see cref="StreamEnd.Faulted"/> or <see cref="StreamEnd.Cancelled"/>.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Gets a value indicating whether the inner stream was enumerated to its end.</summary>
    public bool IsCompleted => End == StreamEnd.Completed;

    /// <summary>Advances the inner stream, recording its end; an inner exception is recorded and rethrown unchanged.</summary>
    /// <returns><see langword="true"/> when <see cref="Current"/> holds a new element; <see langword="false"/> once the stream has ended.</returns>
    /// <exception cref="ObjectDisposedException">The observation was disposed.</exception>
    public async ValueTask<bool> MoveNextAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (End != StreamEnd.Open)
        {
            return false;
        }

        try
        {
            if (await _inner.MoveNextAsync().ConfigureAwait(false))
            {
                return true;
            }

            End = StreamEnd.Completed;
            return false;
        }
        catch (Exception ex)
        {
            Failure = ex;
            End = ex is OperationCanceledException ? StreamEnd.Cancelled : StreamEnd.Faulted;
            throw;
        }
    }

    /// <summary>Disposes the inner enumerator (once); an observation still open becomes <see cref="StreamEnd.Abandoned"/>.</summary>
    /// <returns>A task that completes when the inner enumerator is disposed.</returns>
    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return default;
        }

        _disposed = true;
        if (End == StreamEnd.Open)
        {
            End = StreamEnd.Abandoned;
        }

        return _inner.DisposeAsync();
    }
}
