using LlmOps.DependencyInjection;
using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>
/// One stage of the standard pipeline: its name, its options and the factory of its decorator. The stage contract's
/// decorator half: <c>UseXxx(configure)</c> and <c>UseLlmOps()</c> both go through <c>PipelineStage.Use</c> and
/// <see cref="Apply"/>, so a stage is wired the same way whichever the caller picks.
/// </summary>
internal interface IPipelineStage
{
    /// <summary>Gets the stage's name, as in DESIGN.md's pipeline (telemetry, guardrails, prompts, grounding, cache, routing, metering).</summary>
    string Name { get; }

    /// <summary>Wraps <paramref name="inner"/> when the stage is registered; otherwise returns it unchanged.</summary>
    /// <param name="inner">The inner client.</param>
    /// <param name="services">The provider.</param>
    /// <returns>The decorator, or <paramref name="inner"/>.</returns>
    IChatClient Apply(IChatClient inner, IServiceProvider services);
}

/// <summary>A pipeline stage whose options are <typeparamref name="TOptions"/>.</summary>
/// <typeparam name="TOptions">The stage's options.</typeparam>
/// <param name="name">The stage's name.</param>
/// <param name="create">Creates the decorator from the inner client, the provider and validated options.</param>
/// <param name="createDefault">The options when the stage is not registered; <c>new()</c> when <see langword="null"/>.</param>
/// <param name="alwaysOn">
/// Whether <c>UseLlmOps()</c> adds the stage without an <c>AddXxx</c> call while the options say it is enabled
/// (telemetry); <see langword="null"/> when the stage needs its <c>AddXxx</c>.
/// </param>
internal sealed class PipelineStage<TOptions>(
    string name,
    Func<IChatClient, IServiceProvider, TOptions, IChatClient> create,
    Func<TOptions>? createDefault = null,
    Func<TOptions, bool>? alwaysOn = null) : IPipelineStage
    where TOptions : class, IValidatableOptions, new()
{
    public string Name { get; } = name;

    public IChatClient Apply(IChatClient inner, IServiceProvider services)
    {
        if (alwaysOn is null && !StageRegistration.IsRegistered<TOptions>(services))
        {
            return inner;
        }

        var options = StageRegistration.ResolveOptions(services, null, createDefault);
        return alwaysOn is null || alwaysOn(options) ? create(inner, services, options) : inner;
    }

    /// <summary>Adds the decorator to <paramref name="builder"/>, with options adjusted by <paramref name="configure"/> for this client only.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public ChatClientBuilder Use(ChatClientBuilder builder, Action<TOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = StageRegistration.ResolveOptions(services, configure, createDefault);
            return create(inner, services, options);
        });
    }
}
