using System.Collections.Concurrent;
using System.Text.Json;
using LlmOps.Evaluation.Rag;
using LlmOps.Evaluation.ToolCalls;
using LlmOps.Metering;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Runs;

/// <summary>
/// Runs a dataset against a target (any <see cref="IChatClient"/>: a model, a prompt-registry pipeline, a whole
/// <c>UseLlmOps()</c> pipeline) and scores every response with the evaluators, with bounded concurrency, cancellation,
/// progress and resumption from a checkpoint. A failing target call or evaluator is recorded as an error on that item;
/// the run goes on.
/// </summary>
public static class EvaluationRun
{
    private static readonly JsonSerializerOptions CheckpointJson = new() { WriteIndented = false };

    /// <summary>Runs <paramref name="dataset"/> against <paramref name="target"/>.</summary>
    /// <param name="dataset">The items.</param>
    /// <param name="target">The system under evaluation.</param>
    /// <param name="evaluators">The evaluators; each item gets a <see cref="ReferenceContext"/>, a <see cref="RetrievedContext"/> and an <see cref="ExpectedToolCallsContext"/> when it has references, context and expected tool calls.</param>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">Cancels the run; items already checkpointed stay done.</param>
    /// <returns>The results, in dataset order.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public static async Task<EvaluationRunResult> ExecuteAsync(
        EvaluationDataset dataset,
        IChatClient target,
        IEnumerable<IEvaluator> evaluators,
        EvaluationRunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(evaluators);
        options ??= new EvaluationRunOptions();
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        IEvaluator[] evaluatorList = [.. evaluators];
        Dictionary<string, EvaluationItemResult> done = await ReadCheckpointAsync(options.CheckpointPath, cancellationToken).ConfigureAwait(false);
        var results = new ConcurrentDictionary<string, EvaluationItemResult>(StringComparer.Ordinal);
        int resumed = 0;
        foreach (EvaluationItem item in dataset.Items)
        {
            if (done.TryGetValue(item.Id, out EvaluationItemResult? previous))
            {
                results[item.Id] = previous;
                resumed++;
            }
        }

        int total = dataset.Items.Count;
        int completed = resumed;
        int failed = results.Values.Count(r => r.Errors.Count > 0);
        options.Progress?.Report(new EvaluationProgress(completed, total, resumed, failed));
        using var checkpointLock = new SemaphoreSlim(1, 1);
        EvaluationItem[] pending = [.. dataset.Items.Where(i => !results.ContainsKey(i.Id))];
        await Parallel.ForEachAsync(
            pending,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                EvaluationItemResult result = await RunItemAsync(item, target, evaluatorList, options, ct).ConfigureAwait(false);
                results[item.Id] = result;
                if (options.CheckpointPath is { } path)
                {
                    string line = JsonSerializer.Serialize(result, CheckpointJson) + "\n";
                    await checkpointLock.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        await File.AppendAllTextAsync(path, line, ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        checkpointLock.Release();
                    }
                }

                int failedNow = result.Errors.Count > 0 ? Interlocked.Increment(ref failed) : Volatile.Read(ref failed);
                options.Progress?.Report(new EvaluationProgress(Interlocked.Increment(ref completed), total, resumed, failedNow));
            }).ConfigureAwait(false);

        return new EvaluationRunResult([.. dataset.Items.Select(i => results[i.Id])], resumed);
    }

    private static async Task<EvaluationItemResult> RunItemAsync(EvaluationItem item, IChatClient target, IEvaluator[] evaluators, EvaluationRunOptions options, CancellationToken cancellationToken)
    {
        var messages = new List<ChatMessage>(2);
        if (options.SystemPrompt is { } system)
        {
            messages.Add(new ChatMessage(ChatRole.System, system));
        }

        messages.Add(new ChatMessage(ChatRole.User, item.Input));
        var metrics = new Dictionary<string, double?>(StringComparer.Ordinal);
        var errors = new List<string>();
        long start = options.TimeProvider.GetTimestamp();
        ChatResponse response;
        try
        {
            response = await target.GetResponseAsync(messages, options.ChatOptions?.Clone(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            errors.Add($"target: {e.GetType().Name}: {e.Message}");
            return new EvaluationItemResult(item.Id, null, metrics, errors, options.TimeProvider.GetElapsedTime(start).TotalMilliseconds, null, null);
        }

        double latency = options.TimeProvider.GetElapsedTime(start).TotalMilliseconds;
        var contexts = new List<EvaluationContext>(3);
        if (item.References.Count > 0)
        {
            contexts.Add(new ReferenceContext(item.References));
        }

        if (item.Context.Count > 0)
        {
            contexts.Add(new RetrievedContext(item.Context));
        }

        if (item.ExpectedToolCalls is { } calls)
        {
            contexts.Add(new ExpectedToolCallsContext(calls));
        }

        foreach (IEvaluator evaluator in evaluators)
        {
            try
            {
                EvaluationResult result = await evaluator.EvaluateAsync(messages, response, options.Judge, contexts, cancellationToken).ConfigureAwait(false);
                foreach (EvaluationMetric metric in result.Metrics.Values)
                {
                    metrics[metric.Name] = metric is NumericMetric numeric ? numeric.Value : metric is BooleanMetric boolean && boolean.Value is { } b ? (b ? 1 : 0) : null;
                    foreach (EvaluationDiagnostic d in metric.Diagnostics ?? [])
                    {
                        if (d.Severity == EvaluationDiagnosticSeverity.Error)
                        {
                            errors.Add($"{metric.Name}: {d.Message}");
                        }
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                errors.Add($"{evaluator.GetType().Name}: {e.GetType().Name}: {e.Message}");
            }
        }

        return new EvaluationItemResult(item.Id, response.Text, metrics, errors, latency, response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount)
        {
            Cost = response.GetCost()?.Cost,
        };
    }

    private static async Task<Dictionary<string, EvaluationItemResult>> ReadCheckpointAsync(string? path, CancellationToken cancellationToken)
    {
        var done = new Dictionary<string, EvaluationItemResult>(StringComparer.Ordinal);
        if (path is null || !File.Exists(path))
        {
            return done;
        }

        foreach (string line in await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                // A line cut short by a crash does not parse; its item simply runs again.
                if (JsonSerializer.Deserialize<EvaluationItemResult>(line, CheckpointJson) is { ItemId: not null } result)
                {
                    done[result.ItemId] = result;
                }
            }
            catch (JsonException)
            {
            }
        }

        return done;
    }
}
