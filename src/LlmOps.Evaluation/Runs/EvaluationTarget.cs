using LlmOps.Prompts;
using Microsoft.Extensions.AI;

namespace LlmOps.Evaluation.Runs;

/// <summary>
/// A system under evaluation, named for its results: any <see cref="IChatClient"/> (a model, a whole
/// <c>UseLlmOps()</c> pipeline), or a prompt from the registry (a name and a version or a label) run through a pipeline
/// that has the prompt registry stage. Pass several to
/// <see cref="EvaluationRun.ExecuteAsync(EvaluationDataset, IEnumerable{EvaluationTarget}, IEnumerable{Microsoft.Extensions.AI.Evaluation.IEvaluator}, EvaluationRunOptions?, CancellationToken)"/>
/// to compare them on the same items (for example two versions of a prompt).
/// </summary>
/// <remarks>
/// For a prompt target the run resolves the prompt once, before the first item (so a label that moves during the run
/// does not mix versions, and a running experiment does not assign variants), then sends every item with
/// <c>ChatOptions.WithPrompt(name, variables, version)</c> pinned to that version. The variables are the item's
/// <c>input</c> and its metadata fields, each passed only when the prompt declares a variable of that name. The
/// item's input is sent as the user message after the prompt's messages, unless the prompt declares an
/// <c>input</c> variable (it then places the input itself).
/// </remarks>
public sealed class EvaluationTarget
{
    /// <summary>The prompt variable that receives an item's input.</summary>
    public const string InputVariable = "input";

    private EvaluationTarget(string name, IChatClient client, string? promptName, int? promptVersion, string? promptLabel)
    {
        Name = name;
        Client = client;
        PromptName = promptName;
        PromptVersion = promptVersion;
        PromptLabel = promptLabel;
    }

    /// <summary>Gets the target's name, which its results carry (<see cref="EvaluationRunResult.Target"/>).</summary>
    public string Name { get; }

    /// <summary>Gets the client the items are sent to.</summary>
    public IChatClient Client { get; }

    /// <summary>Gets the registry prompt the items are sent with, or <see langword="null"/> for a plain client target.</summary>
    public string? PromptName { get; }

    /// <summary>Gets the pinned prompt version, or <see langword="null"/>.</summary>
    public int? PromptVersion { get; }

    /// <summary>Gets the prompt label (for example <c>production</c>), or <see langword="null"/>.</summary>
    public string? PromptLabel { get; }

    /// <summary>A target that sends each item's input to <paramref name="client"/> as it is (a model or a whole pipeline).</summary>
    /// <param name="name">The name the results carry.</param>
    /// <param name="client">The client.</param>
    /// <returns>The target.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is <see langword="null"/>.</exception>
    public static EvaluationTarget FromClient(string name, IChatClient client)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(client);
        return new EvaluationTarget(name, client, null, null, null);
    }

    /// <summary>
    /// A target that sends each item with a prompt from the registry: by <paramref name="version"/>, by
    /// <paramref name="label"/>, or the latest version when neither is given.
    /// </summary>
    /// <param name="pipeline">A client with the prompt registry stage (<c>UsePromptRegistry(...)</c>, or <c>UseLlmOps()</c> with <c>AddPromptRegistry()</c>).</param>
    /// <param name="promptName">The prompt's name.</param>
    /// <param name="version">A version to pin, or <see langword="null"/>.</param>
    /// <param name="label">A label (for example <c>production</c>), or <see langword="null"/>.</param>
    /// <param name="name">The name the results carry; <see langword="null"/> for <c>prompt@version</c>, <c>prompt@label</c> or the prompt's name.</param>
    /// <returns>The target.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pipeline"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="promptName"/> is empty, <paramref name="label"/> is empty, or both a version and a label are given.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="version"/> is less than 1.</exception>
    public static EvaluationTarget FromPrompt(IChatClient pipeline, string promptName, int? version = null, string? label = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentException.ThrowIfNullOrWhiteSpace(promptName);
        if (version is { } v)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(v, 1, nameof(version));
        }

        if (label is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(label);
            if (version is not null)
            {
                throw new ArgumentException($"The target for prompt '{promptName}' names both version {version} and label '{label}'; pass one of them (a label resolves to one version).", nameof(label));
            }
        }

        if (name is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
        }

        string defaultName = version is { } pinned ? $"{promptName}@{pinned}" : label is not null ? $"{promptName}@{label}" : promptName;
        return new EvaluationTarget(name ?? defaultName, pipeline, promptName, version, label);
    }

    /// <summary>Resolves the prompt once for a run; <see langword="null"/> for a plain client target.</summary>
    /// <exception cref="InvalidOperationException">The client has no prompt registry stage.</exception>
    /// <exception cref="PromptNotFoundException">The prompt, version or label does not exist.</exception>
    internal async Task<PromptTemplate?> ResolvePromptAsync(CancellationToken cancellationToken)
    {
        if (PromptName is null)
        {
            return null;
        }

        PromptRegistry registry = Client.GetService<PromptRegistry>()
            ?? throw new InvalidOperationException(
                $"The evaluation target '{Name}' names the prompt '{PromptName}', but its client has no prompt registry stage, so the prompt would be ignored. "
                + "Build the client with UsePromptRegistry(registry), or with UseLlmOps() after AddPromptRegistry().");
        return await registry.GetAsync(PromptName, PromptVersion, PromptLabel, cancellationToken).ConfigureAwait(false);
    }
}
