using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>
/// The stream a routed request committed to: a live provider stream whose first update was already read (under the
/// first-token timeout), or a verified, buffered cascade answer replayed as updates.
/// </summary>
internal sealed class RoutedStream : IAsyncDisposable
{
    private readonly IAsyncEnumerator<ChatResponseUpdate>? _live;
    private readonly CancellationTokenSource? _source;
    private readonly RoutedDeployment? _deployment;
    private readonly IList<ChatResponseUpdate>? _replay;
    private bool _pending;
    private int _index = -1;
    private bool _disposed;

    public RoutedStream(IAsyncEnumerator<ChatResponseUpdate> live, bool hasFirst, CancellationTokenSource source, RoutedDeployment deployment)
    {
        _live = live;
        _pending = hasFirst;
        _source = source;
        _deployment = deployment;
        deployment.Enter();
    }

    private RoutedStream(IList<ChatResponseUpdate> replay)
    {
        _replay = replay;
    }

    public ChatResponseUpdate Current => _replay is not null ? _replay[_index] : _live!.Current;

    public static RoutedStream Replay(ChatResponse response) => new(response.ToChatResponseUpdates());

    public ValueTask<bool> MoveNextAsync()
    {
        if (_replay is not null)
        {
            return new(++_index < _replay.Count);
        }

        if (_pending)
        {
            // The first update was read when the attempt opened the stream.
            _pending = false;
            return new(true);
        }

        return _live!.MoveNextAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_live is not null)
        {
            try
            {
                await _live.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                _source!.Dispose();
                _deployment!.Exit();
            }
        }
    }
}
