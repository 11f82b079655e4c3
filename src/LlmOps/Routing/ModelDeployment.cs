using LlmOps.Metering;
using Microsoft.Extensions.AI;

namespace LlmOps.Routing;

/// <summary>
/// One deployment: an <see cref="IChatClient"/> serving one model, with its tier, tag, weight and limits. Groups
/// (<see cref="ModelGroup"/>) name the deployments behind them.
/// </summary>
/// <remarks>
/// The client is, in order: <see cref="Client"/>; the keyed <see cref="IChatClient"/> registered under
/// <see cref="ServiceKey"/>; otherwise the pipeline's inner client (the next stage of <c>UseLlmOps()</c>), called with
/// <see cref="ChatOptions.ModelId"/> set to <see cref="ModelId"/>. With metering registered, a deployment's own client
/// is wrapped by the metering stage so that every attempt is metered exactly once.
/// </remarks>
public sealed class ModelDeployment
{
    /// <summary>Gets or sets the deployment name, unique across the options (for example <c>azure-eu-gpt-4o</c>).</summary>
    /// <value>The default value is the empty string (invalid).</value>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets the model id sent to the client (<see cref="ChatOptions.ModelId"/>) and priced by metering.</summary>
    /// <value>The default value is the empty string (invalid).</value>
    public string ModelId { get; set; } = string.Empty;

    /// <summary>Gets or sets the client; <see langword="null"/> uses <see cref="ServiceKey"/> or the pipeline's inner client.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IChatClient? Client { get; set; }

    /// <summary>Gets or sets the key of a keyed <see cref="IChatClient"/> service to use, when <see cref="Client"/> is not set.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public object? ServiceKey { get; set; }

    /// <summary>Gets or sets the tier; <see langword="null"/> takes the tier of <see cref="ModelId"/> in the metering catalog.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public ModelTier? Tier { get; set; }

    /// <summary>Gets or sets a region or provider tag (bounded; it goes on metrics), for example <c>azure-eu</c>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Region { get; set; }

    /// <summary>Gets or sets the weight for <see cref="LoadBalancingStrategy.WeightedShuffle"/>; must be positive.</summary>
    /// <value>The default value is 1.</value>
    public double Weight { get; set; } = 1;

    /// <summary>Gets or sets the requests per minute the deployment accepts; <see langword="null"/> for no limit.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? RequestsPerMinute { get; set; }

    /// <summary>
    /// Gets or sets the tokens per minute the deployment accepts; <see langword="null"/> for no limit. A request counts its
    /// estimated input tokens (characters / 4) plus its <c>MaxOutputTokens</c> (or
    /// <see cref="ModelRoutingOptions.EstimatedOutputTokens"/>), before the call.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? TokensPerMinute { get; set; }

    /// <summary>
    /// Gets or sets the context window in tokens; <see langword="null"/> takes it from the metering catalog. A request
    /// that overflowed a window fails over only to deployments with a larger one.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? ContextWindow { get; set; }

    internal ModelDeployment Clone() => (ModelDeployment)MemberwiseClone();
}
