using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>
/// Helpers for stages whose non-streaming path is not an <see langword="async"/> method (so a pass-through or an
/// already-completed inner call costs no state machine and no task of its own) but must fail the way one would.
/// </summary>
internal static class StageTasks
{
    /// <summary>
    /// Calls <paramref name="inner"/>; an exception it throws synchronously comes back in the returned task, faulted (or
    /// cancelled, for an <see cref="OperationCanceledException"/>) exactly as an <see langword="async"/> method reports it.
    /// </summary>
    /// <remarks>
    /// For the awaited paths. A stage's synchronous hot path calls its inner client from a call site of its own, inside its
    /// own <see langword="try"/>, and hands what it catches to <see cref="Failed"/>: a call site shared by every stage
    /// sees as many client types as there are stages and dispatches through the runtime's polymorphic stub, where a
    /// stage's own sees one type.
    /// </remarks>
    public static Task<ChatResponse> Call(
        IChatClient inner, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        try
        {
            return inner.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (Exception ex)
        {
            return Failed(ex);
        }
    }

    /// <summary>
    /// The task <see cref="Call"/> returns for an exception the inner client threw synchronously: faulted (or cancelled,
    /// for an <see cref="OperationCanceledException"/>) exactly as an <see langword="async"/> method reports it.
    /// </summary>
    public static Task<ChatResponse> Failed(Exception exception) => FailedAsync(ExceptionDispatchInfo.Capture(exception));

    /// <summary>
    /// Attaches <paramref name="info"/> to the answer of <paramref name="inner"/>: at once, handing back the same task, when
    /// it has completed; otherwise when it completes. A failure passes through unchanged.
    /// </summary>
    public static Task<ChatResponse> AttachInfo(Task<ChatResponse> inner, LlmOpsInfo info)
    {
        if (inner.IsCompletedSuccessfully)
        {
            inner.Result.AttachLlmOpsInfo(info);
            return inner;
        }

        return AttachAsync(inner, info);
    }

    private static async Task<ChatResponse> AttachAsync(Task<ChatResponse> inner, LlmOpsInfo info)
    {
        var response = await inner.ConfigureAwait(false);
        response.AttachLlmOpsInfo(info);
        return response;
    }

    private static async Task<ChatResponse> FailedAsync(ExceptionDispatchInfo failure)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        failure.Throw();
        return null!;
    }
}
