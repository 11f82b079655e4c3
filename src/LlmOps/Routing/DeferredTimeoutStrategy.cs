using System.Diagnostics.CodeAnalysis;
using Polly;
using Polly.Timeout;

namespace LlmOps.Routing;

/// <summary>
/// A timeout strategy for the routing pipelines that arms its timer only when the guarded call is still running when it
/// returns: a call that completes at once (a cache in front, a scripted or in-process model) costs no timer, no link to the
/// outer token and no pooled-source round trip. A timed-out call fails exactly as with Polly's own timeout strategy: with
/// a <see cref="TimeoutRejectedException"/> wrapping the call's <see cref="OperationCanceledException"/>, and never when
/// the outer token was cancelled.
/// </summary>
/// <remarks>
/// <para>
/// Polly's timeout strategy arms a timer (and registers on the outer token) before every call and disarms it after; on the
/// whole-stack pass-through request those timer changes and registrations, for the total and the attempt timeout, were a
/// large share of the routing stage's cost. Here the clock still starts when the call starts: the timer is armed, for
/// what is left of the timeout, when the call first yields. The difference is for a call that blocks synchronously: it
/// is not cancelled while it blocks (neither by the timer nor by the outer token), only once it yields, and an outer
/// token already cancelled on entry is passed through as it is.
/// </para>
/// <para>
/// The cancellation source of a call that completes at once is reused by the next call on the same thread. With the
/// system clock the source's own timer is armed (and reset for reuse when the call ends, as Polly's pool does); with any
/// other <see cref="TimeProvider"/> (a fake clock in tests) a timer from that provider cancels a source that is not reused.
/// </para>
/// </remarks>
internal sealed class DeferredTimeoutStrategy : ResilienceStrategy
{
    // A strategy outside Polly cannot replace ResilienceContext.CancellationToken (its setter is internal), so the source
    // of the guarded call's token travels in a property that the routing callbacks read through TokenOf (the source, not
    // the token: a property value is an object, and a token would be boxed on every call).
    private static readonly ResiliencePropertyKey<CancellationTokenSource?> SourceKey = new("llmops.routing.timeout-source");

    // Sources of calls that completed at once, for the next calls on this thread: two, since the total and the attempt
    // timeout nest.
    [ThreadStatic]
    private static CancellationTokenSource? t_spare;

    [ThreadStatic]
    private static CancellationTokenSource? t_spare2;

    private readonly Func<ResilienceContext, TimeSpan> _timeout;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="DeferredTimeoutStrategy"/> class.</summary>
    /// <param name="timeout">The timeout of a call; zero or infinite for none.</param>
    /// <param name="time">The clock.</param>
    public DeferredTimeoutStrategy(Func<ResilienceContext, TimeSpan> timeout, TimeProvider time)
    {
        _timeout = timeout;
        _time = time;
    }

    /// <summary>Adds the strategy to <paramref name="builder"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="timeout">The timeout of a call; zero or infinite for none.</param>
    /// <param name="time">The clock.</param>
    /// <returns>The builder.</returns>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The options carry no data-annotation attributes for Polly to validate.")]
    public static ResiliencePipelineBuilder Add(ResiliencePipelineBuilder builder, Func<ResilienceContext, TimeSpan> timeout, TimeProvider time)
        => builder.AddStrategy(_ => new DeferredTimeoutStrategy(timeout, time), new Options());

    /// <summary>
    /// Gets the token a callback run by a pipeline with this strategy must honour: the guarded call's own when the strategy
    /// set one, otherwise the context's.
    /// </summary>
    /// <param name="context">The callback's context.</param>
    /// <returns>The token.</returns>
    public static CancellationToken TokenOf(ResilienceContext context)
        => context.Properties.TryGetValue(SourceKey, out var source) && source is not null ? source.Token : context.CancellationToken;

    /// <inheritdoc/>
    protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        var timeout = _timeout(context);
        context.Properties.TryGetValue(SourceKey, out var outerSource);
        var outer = outerSource?.Token ?? context.CancellationToken;
        if (timeout <= TimeSpan.Zero || timeout == Timeout.InfiniteTimeSpan || outer.IsCancellationRequested)
        {
            return Call(callback, context, state);
        }

        var source = Rent();
        var start = _time.GetTimestamp();
        context.Properties.Set(SourceKey, source);
        var pending = Call(callback, context, state);
        if (pending.IsCompleted)
        {
            context.Properties.Set(SourceKey, outerSource);
            var outcome = pending.Result;
            Return(source);
            return new ValueTask<Outcome<TResult>>(outcome);
        }

        return AwaitAsync(pending, source, context, outerSource, outer, timeout, start, _time);
    }

    /// <summary>
    /// Runs <paramref name="callback"/> under <paramref name="timeout"/> the way the strategy does, without a Polly pipeline
    /// or <see cref="ResilienceContext"/>: the callback gets the guarded call's token as its argument. A timed-out call ends
    /// with a <see cref="TimeoutRejectedException"/> outcome; a callback that throws ends with its exception as the outcome.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <typeparam name="TState">The callback's state.</typeparam>
    /// <param name="callback">The guarded call; it must honour the token it is given.</param>
    /// <param name="state">The callback's state.</param>
    /// <param name="outer">The token of the caller (cancels the call too, once it yields).</param>
    /// <param name="timeout">The timeout; zero or infinite for none.</param>
    /// <param name="time">The clock.</param>
    /// <param name="startOf">
    /// When the call yields, gives the timestamp (<paramref name="time"/>'s) at which the timeout started, a timestamp the
    /// callback took anyway as it started the guarded work; 0 (or no function) reads the clock before the call. A call
    /// that completes at once then reads no clock here.
    /// </param>
    /// <returns>The call's outcome.</returns>
    public static ValueTask<Outcome<TResult>> RunAsync<TResult, TState>(
        Func<CancellationToken, TState, ValueTask<Outcome<TResult>>> callback,
        TState state,
        CancellationToken outer,
        TimeSpan timeout,
        TimeProvider time,
        Func<TState, long>? startOf = null)
    {
        // The callback is called here (not through a helper) in both branches: this runs twice per routed request.
        ValueTask<Outcome<TResult>> pending;
        if (timeout <= TimeSpan.Zero || timeout == Timeout.InfiniteTimeSpan || outer.IsCancellationRequested)
        {
            try
            {
                return callback(outer, state);
            }
            catch (Exception ex)
            {
                return new ValueTask<Outcome<TResult>>(Outcome.FromException<TResult>(ex));
            }
        }

        var source = Rent();
        var start = startOf is null ? time.GetTimestamp() : 0;
        try
        {
            pending = callback(source.Token, state);
        }
        catch (Exception ex)
        {
            pending = new ValueTask<Outcome<TResult>>(Outcome.FromException<TResult>(ex));
        }

        if (pending.IsCompleted)
        {
            var outcome = pending.Result;
            Return(source);
            return new ValueTask<Outcome<TResult>>(outcome);
        }

        if (start == 0 && (start = startOf!(state)) == 0)
        {
            start = time.GetTimestamp();
        }

        return AwaitAsync(pending, source, context: null, outerSource: null, outer, timeout, start, time);
    }

    private static CancellationTokenSource Rent()
    {
        if (t_spare is { } spare)
        {
            t_spare = null;
            return spare;
        }

        if (t_spare2 is { } second)
        {
            t_spare2 = null;
            return second;
        }

        return new CancellationTokenSource();
    }

    /// <summary>Keeps a source whose call ended without a cancellation (and with no timer left to fire) for reuse.</summary>
    private static void Return(CancellationTokenSource source)
    {
        if (source.IsCancellationRequested || !source.TryReset())
        {
            source.Dispose();
        }
        else if (t_spare is null)
        {
            t_spare = source;
        }
        else if (t_spare2 is null)
        {
            t_spare2 = source;
        }
        else
        {
            source.Dispose();
        }
    }

    private static ValueTask<Outcome<TResult>> Call<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        try
        {
            return callback(context, state);
        }
        catch (Exception ex)
        {
            return new ValueTask<Outcome<TResult>>(Outcome.FromException<TResult>(ex));
        }
    }

    /// <summary>The call yielded: from now on the timer and the outer token can cancel it.</summary>
    /// <remarks><paramref name="context"/> is <see langword="null"/> for a call run without a pipeline (<see cref="RunAsync"/>).</remarks>
    private static async ValueTask<Outcome<TResult>> AwaitAsync<TResult>(
        ValueTask<Outcome<TResult>> pending,
        CancellationTokenSource source,
        ResilienceContext? context,
        CancellationTokenSource? outerSource,
        CancellationToken outer,
        TimeSpan timeout,
        long start,
        TimeProvider time)
    {
        var remaining = timeout - time.GetElapsedTime(start);
        ITimer? timer = null;
        if (remaining <= TimeSpan.Zero)
        {
            source.Cancel();
        }
        else if (ReferenceEquals(time, TimeProvider.System))
        {
            source.CancelAfter(remaining);
        }
        else
        {
            timer = time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), source, remaining, Timeout.InfiniteTimeSpan);
        }

        var link = outer.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source);
        Outcome<TResult> outcome;
        try
        {
            outcome = await pending.ConfigureAwait(context?.ContinueOnCapturedContext ?? false);
        }
        catch (Exception ex)
        {
            outcome = Outcome.FromException<TResult>(ex);
        }

        var cancelled = source.IsCancellationRequested;
        context?.Properties.Set(SourceKey, outerSource);
        await link.DisposeAsync().ConfigureAwait(false);
        if (timer is not null)
        {
            // A provider's timer may still be firing: this source is not reused.
            await timer.DisposeAsync().ConfigureAwait(false);
            source.Dispose();
        }
        else
        {
            Return(source);
        }

        if (cancelled && outcome.Exception is OperationCanceledException e && !outer.IsCancellationRequested)
        {
            return Outcome.FromException<TResult>(new TimeoutRejectedException(
                $"The operation didn't complete within the allowed timeout of '{timeout}'.", timeout, e));
        }

        return outcome;
    }

    /// <summary>The options Polly requires with a custom strategy (there are none to set).</summary>
    private sealed class Options : ResilienceStrategyOptions
    {
        public Options()
        {
            Name = "llmops.routing.timeout";
        }
    }
}
