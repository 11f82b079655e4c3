namespace LlmOps.Tests;

public sealed class StreamObservationTests
{
    [Fact]
    public async Task MoveNextAsync_ToTheEnd_YieldsInOrderAndCompletes()
    {
        var source = new CountingStream(3);
        var stream = new StreamObservation<int>(source, CancellationToken.None);
        var seen = new List<int>();

        while (await stream.MoveNextAsync())
        {
            Assert.Equal(StreamEnd.Open, stream.End);
            seen.Add(stream.Current);
        }

        Assert.Equal([0, 1, 2], seen);
        Assert.Equal(StreamEnd.Completed, stream.End);
        Assert.True(stream.IsCompleted);
        Assert.Null(stream.Failure);
        Assert.Equal(0, source.Disposals);

        await stream.DisposeAsync();

        Assert.Equal(StreamEnd.Completed, stream.End);
        Assert.Equal(1, source.Disposals);
    }

    [Fact]
    public async Task MoveNextAsync_AfterCompleted_ReturnsFalseWithoutAskingTheInnerStream()
    {
        var source = new CountingStream(1);
        await using var stream = new StreamObservation<int>(source, CancellationToken.None);
        while (await stream.MoveNextAsync())
        {
        }

        var calls = source.MoveNextCalls;

        Assert.False(await stream.MoveNextAsync());
        Assert.Equal(calls, source.MoveNextCalls);
        Assert.Equal(StreamEnd.Completed, stream.End);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task MoveNextAsync_InnerThrowsAtPosition_RethrowsSameExceptionAndRecordsFaulted(int position)
    {
        var boom = new InvalidOperationException("boom");
        var source = new CountingStream(3, failAt: position, failure: boom);
        var stream = new StreamObservation<int>(source, CancellationToken.None);
        var seen = new List<int>();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            while (await stream.MoveNextAsync())
            {
                seen.Add(stream.Current);
            }
        });

        Assert.Same(boom, thrown);
        Assert.Equal(Enumerable.Range(0, position), seen);
        Assert.Equal(StreamEnd.Faulted, stream.End);
        Assert.False(stream.IsCompleted);
        Assert.Same(boom, stream.Failure);

        await stream.DisposeAsync();

        Assert.Equal(StreamEnd.Faulted, stream.End);
        Assert.Equal(1, source.Disposals);
    }

    [Fact]
    public async Task MoveNextAsync_InnerCancelled_RecordsCancelledAndForwardsTheToken()
    {
        using var cts = new CancellationTokenSource();
        var source = new CountingStream(5);
        var stream = new StreamObservation<int>(source, cts.Token);

        Assert.True(await stream.MoveNextAsync());
        await cts.CancelAsync();
        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await stream.MoveNextAsync());
        await stream.DisposeAsync();

        Assert.Equal(cts.Token, source.Token);
        Assert.Equal(cts.Token, thrown.CancellationToken);
        Assert.Equal(StreamEnd.Cancelled, stream.End);
        Assert.Same(thrown, stream.Failure);
        Assert.Equal(1, source.Disposals);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task DisposeAsync_BeforeTheEnd_RecordsAbandonedAndDisposesInnerOnce(int consumed)
    {
        var source = new CountingStream(3);
        var stream = new StreamObservation<int>(source, CancellationToken.None);
        for (var i = 0; i < consumed; i++)
        {
            Assert.True(await stream.MoveNextAsync());
        }

        await stream.DisposeAsync();
        await stream.DisposeAsync();

        Assert.Equal(StreamEnd.Abandoned, stream.End);
        Assert.Null(stream.Failure);
        Assert.False(stream.IsCompleted);
        Assert.Equal(1, source.Disposals);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await stream.MoveNextAsync());
    }

    [Fact]
    public async Task DisposeAsync_ConsumerBreaksOutOfIterator_InnerDisposedOnceAndAbandoned()
    {
        var source = new CountingStream(5);
        StreamObservation<int>? observed = null;

        async IAsyncEnumerable<int> Stage()
        {
            var stream = observed = new StreamObservation<int>(source, CancellationToken.None);
            try
            {
                while (await stream.MoveNextAsync())
                {
                    yield return stream.Current;
                }
            }
            finally
            {
                await stream.DisposeAsync();
            }
        }

        await foreach (var item in Stage())
        {
            if (item == 1)
            {
                break;
            }
        }

        Assert.Equal(StreamEnd.Abandoned, observed!.End);
        Assert.Equal(1, source.Disposals);
        Assert.Equal(2, source.MoveNextCalls);
    }

    [Fact]
    public void Constructor_SourceThrowsOnGetAsyncEnumerator_PropagatesUnrecorded()
    {
        var source = new CountingStream(1, throwOnStart: true);

        Assert.Throws<NotSupportedException>(() => new StreamObservation<int>(source, CancellationToken.None));
    }

    /// <summary>Yields 0..count-1, optionally throwing before the item at <c>failAt</c>; counts calls and disposals.</summary>
    private sealed class CountingStream(int count, int failAt = -1, Exception? failure = null, bool throwOnStart = false) : IAsyncEnumerable<int>
    {
        public int Count => count;

        public int FailAt => failAt;

        public Exception? Failure => failure;

        public int Disposals { get; private set; }

        public int MoveNextCalls { get; private set; }

        public CancellationToken Token { get; private set; }

        public IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            if (throwOnStart)
            {
                throw new NotSupportedException("no stream");
            }

            Token = cancellationToken;
            return new Enumerator(this);
        }

        private sealed class Enumerator(CountingStream owner) : IAsyncEnumerator<int>
        {
            private int _next;

            public int Current { get; private set; }

            public ValueTask<bool> MoveNextAsync()
            {
                owner.MoveNextCalls++;
                owner.Token.ThrowIfCancellationRequested();
                if (_next == owner.FailAt)
                {
                    throw owner.Failure!;
                }

                if (_next >= owner.Count)
                {
                    return ValueTask.FromResult(false);
                }

                Current = _next++;
                return ValueTask.FromResult(true);
            }

            public ValueTask DisposeAsync()
            {
                owner.Disposals++;
                return default;
            }
        }
    }
}
