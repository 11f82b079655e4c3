using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Runs;

/// <summary>Options for the runs of <see cref="EvaluationRun"/>.</summary>
public sealed class EvaluationRunOptions
{
    /// <summary>Gets or sets how many items run at once.</summary>
    /// <value>The default value is 4.</value>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// Gets or sets a JSONL checkpoint file: each finished item is appended as one line, and items already in the file
    /// are not run again (the target is not called for them), so a run resumes after a crash.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (no checkpoint).</value>
    public string? CheckpointPath { get; set; }

    /// <summary>Gets or sets a callback for progress, called after each item.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IProgress<EvaluationProgress>? Progress { get; set; }

    /// <summary>Gets or sets the judge for LLM-judged evaluators.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public ChatConfiguration? Judge { get; set; }

    /// <summary>Gets or sets a system prompt sent before each item's input.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? SystemPrompt { get; set; }

    /// <summary>Gets or sets the chat options for target calls (cloned per call).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public ChatOptions? ChatOptions { get; set; }

    /// <summary>Gets or sets the clock used for latency.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Returns one message per invalid value; empty when the options are valid.</summary>
    /// <returns>The problems found.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxConcurrency is < 1 or > 256)
        {
            errors.Add($"EvaluationRunOptions.MaxConcurrency must be in [1, 256]; was {MaxConcurrency}.");
        }

        if (TimeProvider is null)
        {
            errors.Add("EvaluationRunOptions.TimeProvider must not be null; use TimeProvider.System.");
        }

        return errors;
    }
}
