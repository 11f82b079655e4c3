using LlmOps.Guardrails;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace LlmOps.Prompts;

/// <summary>
/// Resolves the prompt a request names (<c>options.WithPrompt(...)</c>), renders it, puts its messages before the
/// caller's, applies its model settings, and records <see cref="PromptProvenance"/> and telemetry tags.
/// Requests without a prompt reference pass through untouched.
/// </summary>
/// <remarks>
/// Resolution: a pinned version, else a label, else the running experiment's variant for the subject, else
/// <c>latest</c>. The template's non-null model settings replace the request's (a prompt version owns its model
/// settings, so an experiment can vary them). The caller's messages and options are never mutated.
/// </remarks>
public sealed class PromptRegistryChatClient : DelegatingChatClient
{
    private readonly PromptRegistry _registry;

    /// <summary>Initializes a new instance of the <see cref="PromptRegistryChatClient"/> class.</summary>
    /// <param name="innerClient">The inner client.</param>
    /// <param name="registry">The registry.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public PromptRegistryChatClient(IChatClient innerClient, PromptRegistry registry)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
    }

    /// <inheritdoc/>
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        messages = RequestMessages.Validate(messages, nameof(messages), options); // the library's one bad-input rule

        // A request without a prompt passes through without a state machine or a task of this stage's own.
        return options.GetPrompt() is { } reference
            ? RenderAndSendAsync(reference, messages, options, cancellationToken)
            : base.GetResponseAsync(messages, options, cancellationToken);
    }

    private async Task<ChatResponse> RenderAndSendAsync(PromptReference reference, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var request = LlmOpsRequest.Join(options);
        var (rendered, forwarded) = await PrepareAsync(reference, messages, request, cancellationToken).ConfigureAwait(false);
        var response = await base.GetResponseAsync(rendered, forwarded, cancellationToken).ConfigureAwait(false);
        request.AttachTo(response);

        return response;
    }

    /// <inheritdoc/>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        messages = RequestMessages.Validate(messages, nameof(messages));
        return options.GetPrompt() is { } reference
            ? StreamAsync(reference, messages, options, cancellationToken)
            : base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(_registry) ? _registry : base.GetService(serviceType, serviceKey);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        PromptReference reference, IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = LlmOpsRequest.Join(options);
        var (rendered, forwarded) = await PrepareAsync(reference, messages, request, cancellationToken).ConfigureAwait(false);
        string? modelId = null;
        await foreach (var update in base.GetStreamingResponseAsync(rendered, forwarded, cancellationToken).ConfigureAwait(false))
        {
            modelId ??= update.ModelId;
            yield return update;
        }

        if (request.CreateFinalUpdate(modelId) is { } last)
        {
            yield return last;
        }
    }

    private async Task<(List<ChatMessage> Messages, ChatOptions Options)> PrepareAsync(
        PromptReference reference, IEnumerable<ChatMessage> messages, LlmOpsRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string? experimentName = null, variantName = null;
        var version = reference.Version;
        var label = reference.Label;
        if (version is null && label is null && _registry.GetExperiment(reference.Name) is { } experiment)
        {
            var scope = request.Options.GetScope();
            var subject = reference.Subject ?? scope.User ?? scope.Tenant ?? request.Info.RequestId;
            var variant = experiment.Assign(subject);
            experimentName = experiment.Name;
            variantName = variant.Name;
            version = variant.Version;
            label = variant.Version is null ? variant.Label : null;
        }

        var template = await _registry.GetAsync(reference.Name, version, label, cancellationToken).ConfigureAwait(false);
        var variables = await ScanVariablesAsync(reference.Variables, request.Info, cancellationToken).ConfigureAwait(false);
        var rendered = template.Render(variables, _registry.Options.AllowUnknownVariables);

        var list = new List<ChatMessage>(rendered.Count + 4);
        list.AddRange(rendered);
        list.AddRange(messages);

        // Clone so settings never leak into the caller's instance (LlmOpsRequest already cloned when it created the info).
        var forwarded = request.Options?.Clone() ?? new ChatOptions();
        if (template.Settings is { } s)
        {
            forwarded.ModelId = s.ModelId ?? forwarded.ModelId;
            forwarded.Temperature = s.Temperature ?? forwarded.Temperature;
            forwarded.MaxOutputTokens = s.MaxOutputTokens ?? forwarded.MaxOutputTokens;
            if (s.ResponseFormat is { } format)
            {
                forwarded.ResponseFormat = string.Equals(format, "json", StringComparison.OrdinalIgnoreCase) ? ChatResponseFormat.Json : ChatResponseFormat.Text;
            }
        }

        var provenance = new PromptProvenance(template.Name, template.Version, template.ContentHash,
            version is null ? label ?? PromptRegistry.LatestLabel : null, experimentName, variantName);
        // The info computes the prompt tags (name, version, label, experiment and variant) from the provenance when read.
        var tags = StandardTags.PromptName | StandardTags.PromptVersion;
        if (provenance.Label is not null) tags |= StandardTags.PromptLabel;
        if (variantName is not null) tags |= StandardTags.PromptExperiment | StandardTags.PromptVariant;
        request.Info.SetWithTags(provenance, tags);

        return (list, forwarded);
    }

    /// <summary>
    /// Has the guardrails stage scan the text values of the variables as input before they are rendered (they are what
    /// a user or a document supplied; the template itself is trusted configuration). A value a scanner blocks blocks the
    /// request before any provider call; redactions replace the value, so the provider sees only placeholders.
    /// </summary>
    private static async ValueTask<IReadOnlyDictionary<string, object?>> ScanVariablesAsync(
        IReadOnlyDictionary<string, object?> variables, LlmOpsInfo info, CancellationToken cancellationToken)
    {
        if (variables.Count == 0 || info.Get<UntrustedInputScan>() is not { } scan)
        {
            return variables;
        }

        List<string>? names = null;
        List<string>? texts = null;
        foreach (var (name, value) in variables)
        {
            if (value is string { Length: > 0 } text)
            {
                (names ??= []).Add(name);
                (texts ??= []).Add(text);
            }
        }

        if (texts is null)
        {
            return variables;
        }

        var results = await scan.ScanEachAsync(texts, cancellationToken).ConfigureAwait(false);
        Dictionary<string, object?>? changed = null;
        for (var i = 0; i < results.Length; i++)
        {
            var (text, blocked) = results[i];
            if (blocked is not null)
            {
                scan.ThrowBlocked(blocked);
            }

            if (!ReferenceEquals(text, texts[i]))
            {
                changed ??= new Dictionary<string, object?>(variables, StringComparer.Ordinal);
                changed[names![i]] = text;
            }
        }

        return changed ?? variables;
    }
}
