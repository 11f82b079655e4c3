using System.Collections.Concurrent;
using System.Text.Json;
using LlmOps.Evaluation.Rag;
using LlmOps.Evaluation.ToolCalls;
using LlmOps.Metering;
using LlmOps.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Runs;

/// <summary>
/// Runs a dataset against one or more targets (any <see cref="IChatClient"/>: a model, a whole <c>UseLlmOps()</c>
/// pipeline; or a prompt from the registry, see <see cref="EvaluationTarget"/>) and scores every response with the
/// evaluators, with bounded concurrency, cancellation, progress and resumption from a checkpoint. A failing target call
/// or evaluator is recorded as an error on that item; the run goes on.
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
    public static Task<EvaluationRunResult> ExecuteAsync(
        EvaluationDataset dataset,
        IChatClient target,
        IEnumerable<IEvaluator> evaluators,
        EvaluationRunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        (IEvaluator[] list, EvaluationRunOptions valid) = Validate(dataset, evaluators, options);
        return RunAsync(dataset, null, target, null, list, valid, valid.CheckpointPath, valid.Progress, cancellationToken);
    }

    /// <summary>Runs <paramref name="dataset"/> against one named <paramref name="target"/> (a client or a registry prompt).</summary>
    /// <param name="dataset">The items.</param>
    /// <param name="target">The system under evaluation.</param>
    /// <param name="evaluators">The evaluators, as for <see cref="ExecuteAsync(EvaluationDataset, IChatClient, IEnumerable{IEvaluator}, EvaluationRunOptions?, CancellationToken)"/>.</param>
    /// <param name="options">The options; <see cref="EvaluationRunOptions.CheckpointPath"/> is used as it is.</param>
    /// <param name="cancellationToken">Cancels the run; items already checkpointed stay done.</param>
    /// <returns>The results, in dataset order, carrying the target's name (and the prompt version that ran).</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">A prompt target's client has no prompt registry stage.</exception>
    /// <exception cref="PromptNotFoundException">A prompt target's prompt, version or label does not exist (no item is run).</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public static async Task<EvaluationRunResult> ExecuteAsync(
        EvaluationDataset dataset,
        EvaluationTarget target,
        IEnumerable<IEvaluator> evaluators,
        EvaluationRunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        (IEvaluator[] list, EvaluationRunOptions valid) = Validate(dataset, evaluators, options);
        PromptTemplate? prompt = await target.ResolvePromptAsync(cancellationToken).ConfigureAwait(false);
        return await RunAsync(dataset, target.Name, target.Client, prompt, list, valid, valid.CheckpointPath, valid.Progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="dataset"/> against each of <paramref name="targets"/> in turn (each with
    /// <see cref="EvaluationRunOptions.MaxConcurrency"/>), for example two versions of a prompt, so their results can be
    /// compared item by item. Every prompt target is resolved before the first item runs.
    /// </summary>
    /// <param name="dataset">The items.</param>
    /// <param name="targets">The targets; their names must be unique.</param>
    /// <param name="evaluators">The evaluators, as for <see cref="ExecuteAsync(EvaluationDataset, IChatClient, IEnumerable{IEvaluator}, EvaluationRunOptions?, CancellationToken)"/>.</param>
    /// <param name="options">
    /// The options. With a <see cref="EvaluationRunOptions.CheckpointPath"/>, each target checkpoints to its own file
    /// beside it, the target's name inserted before the extension (<c>run.jsonl</c> → <c>run.prompt@2.jsonl</c>;
    /// characters other than letters, digits, <c>-_.@</c> become <c>_</c>). Progress counts items over all targets.
    /// </param>
    /// <param name="cancellationToken">Cancels the run; items already checkpointed stay done.</param>
    /// <returns>One result per target, in the order given.</returns>
    /// <exception cref="ArgumentNullException">An argument or a target is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">There is no target, two targets share a name (or a checkpoint file), or <paramref name="options"/> is invalid.</exception>
    /// <exception cref="InvalidOperationException">A prompt target's client has no prompt registry stage.</exception>
    /// <exception cref="PromptNotFoundException">A prompt target's prompt, version or label does not exist (no item is run).</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public static async Task<IReadOnlyList<EvaluationRunResult>> ExecuteAsync(
        EvaluationDataset dataset,
        IEnumerable<EvaluationTarget> targets,
        IEnumerable<IEvaluator> evaluators,
        EvaluationRunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        (IEvaluator[] list, EvaluationRunOptions valid) = Validate(dataset, evaluators, options);
        EvaluationTarget[] all = [.. targets];
        if (all.Length == 0)
        {
            throw new ArgumentException("Give at least one evaluation target.", nameof(targets));
        }

        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (EvaluationTarget target in all)
        {
            ArgumentNullException.ThrowIfNull(target, nameof(targets));
            string key = FileSafe(target.Name);
            if (!names.TryAdd(key, target.Name))
            {
                throw new ArgumentException($"The evaluation targets '{names[key]}' and '{target.Name}' have the same name (or the same checkpoint file name); give each target its own name.", nameof(targets));
            }
        }

        // Resolve every prompt first, so a missing version fails the call before any model is paid for.
        var prompts = new PromptTemplate?[all.Length];
        for (int t = 0; t < all.Length; t++)
        {
            prompts[t] = await all[t].ResolvePromptAsync(cancellationToken).ConfigureAwait(false);
        }

        var results = new List<EvaluationRunResult>(all.Length);
        int total = dataset.Items.Count * all.Length;
        (int completed, int resumed, int failed) = (0, 0, 0);
        for (int t = 0; t < all.Length; t++)
        {
            string? checkpoint = valid.CheckpointPath is { } path
                ? Path.Combine(Path.GetDirectoryName(path) ?? string.Empty, $"{Path.GetFileNameWithoutExtension(path)}.{FileSafe(all[t].Name)}{Path.GetExtension(path)}")
                : null;
            IProgress<EvaluationProgress>? progress = valid.Progress is { } inner ? new OffsetProgress(inner, completed, total, resumed, failed) : null;
            EvaluationRunResult result = await RunAsync(dataset, all[t].Name, all[t].Client, prompts[t], list, valid, checkpoint, progress, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            completed += result.Items.Count;
            resumed += result.Resumed;
            failed += result.Items.Count(i => i.Errors.Count > 0);
        }

        return results;
    }

    private static (IEvaluator[] Evaluators, EvaluationRunOptions Options) Validate(EvaluationDataset dataset, IEnumerable<IEvaluator> evaluators, EvaluationRunOptions? options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(evaluators);
        options ??= new EvaluationRunOptions();
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        return ([.. evaluators], options);
    }

    private static async Task<EvaluationRunResult> RunAsync(
        EvaluationDataset dataset,
        string? targetName,
        IChatClient target,
        PromptTemplate? prompt,
        IEvaluator[] evaluators,
        EvaluationRunOptions options,
        string? checkpointPath,
        IProgress<EvaluationProgress>? progress,
        CancellationToken cancellationToken)
    {
        Dictionary<string, EvaluationItemResult> done = await ReadCheckpointAsync(checkpointPath, cancellationToken).ConfigureAwait(false);
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
        progress?.Report(new EvaluationProgress(completed, total, resumed, failed));
        using var checkpointLock = new SemaphoreSlim(1, 1);
        EvaluationItem[] pending = [.. dataset.Items.Where(i => !results.ContainsKey(i.Id))];
        await Parallel.ForEachAsync(
            pending,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                EvaluationItemResult result = await RunItemAsync(item, target, prompt, evaluators, options, ct).ConfigureAwait(false);
                results[item.Id] = result;
                if (checkpointPath is not null)
                {
                    string line = JsonSerializer.Serialize(result, CheckpointJson) + "\n";
                    await checkpointLock.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        await File.AppendAllTextAsync(checkpointPath, line, ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        checkpointLock.Release();
                    }
                }

                int failedNow = result.Errors.Count > 0 ? Interlocked.Increment(ref failed) : Volatile.Read(ref failed);
                progress?.Report(new EvaluationProgress(Interlocked.Increment(ref completed), total, resumed, failedNow));
            }).ConfigureAwait(false);

        return new EvaluationRunResult([.. dataset.Items.Select(i => results[i.Id])], resumed, targetName, prompt?.ToString());
    }

    private static async Task<EvaluationItemResult> RunItemAsync(EvaluationItem item, IChatClient target, PromptTemplate? prompt, IEvaluator[] evaluators, EvaluationRunOptions options, CancellationToken cancellationToken)
    {
        // What the evaluators see as the conversation: the system prompt and the item's input, whatever the target sends.
        var messages = new List<ChatMessage>(2);
        if (options.SystemPrompt is { } system)
        {
            messages.Add(new ChatMessage(ChatRole.System, system));
        }

        var input = new ChatMessage(ChatRole.User, item.Input);
        messages.Add(input);
        List<ChatMessage> sent = messages;
        ChatOptions? chatOptions;
        if (prompt is null)
        {
            chatOptions = options.ChatOptions?.Clone();
        }
        else
        {
            (chatOptions, bool inputInPrompt) = WithPrompt(options.ChatOptions, prompt, item);
            sent = inputInPrompt ? [.. messages.Where(m => !ReferenceEquals(m, input))] : messages;
        }

        var metrics = new Dictionary<string, double?>(StringComparer.Ordinal);
        var errors = new List<string>();
        long start = options.TimeProvider.GetTimestamp();
        ChatResponse response;
        try
        {
            response = await target.GetResponseAsync(sent, chatOptions, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// The options that send an item with the resolved prompt version: the item's input and metadata as the variables
    /// the prompt declares; whether the prompt places the input itself (it declares <c>input</c>).
    /// </summary>
    private static (ChatOptions Options, bool InputInPrompt) WithPrompt(ChatOptions? options, PromptTemplate prompt, EvaluationItem item)
    {
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        bool inputInPrompt = false;
        foreach (PromptVariable variable in prompt.Variables)
        {
            if (string.Equals(variable.Name, EvaluationTarget.InputVariable, StringComparison.Ordinal))
            {
                variables[variable.Name] = item.Input;
                inputInPrompt = true;
            }
            else if (item.Metadata.TryGetValue(variable.Name, out string? value))
            {
                variables[variable.Name] = value;
            }
        }

        return (options.WithPrompt(prompt.Name, variables, version: prompt.Version), inputInPrompt);
    }

    private static string FileSafe(string name)
    {
        char[] chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] is not ('-' or '_' or '.' or '@'))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
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

    /// <summary>Reports one target's progress as part of a multi-target run.</summary>
    private sealed class OffsetProgress(IProgress<EvaluationProgress> inner, int completed, int total, int resumed, int failed) : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress value) =>
            inner.Report(new EvaluationProgress(completed + value.Completed, total, resumed + value.Resumed, failed + value.Failed));
    }
}
