using LlmOps.Guardrails;
using LlmOps.Prompts;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>
/// The standard stage order (DESIGN.md, "The pipeline"). <see cref="LlmOpsChatClientBuilderExtensions.UseLlmOps"/>
/// applies <see cref="Stages"/> outermost first; a stage whose services are not configured returns the
/// inner client unchanged. Adding a concern to the pipeline is one line in this list.
/// </summary>
internal static class LlmOpsPipeline
{
    /// <summary>A stage: wraps <c>inner</c>, or returns it when the stage is not configured.</summary>
    public delegate IChatClient Stage(IChatClient inner, IServiceProvider services, LlmOpsOptions options);

    /// <summary>The stages, outermost first.</summary>
    public static readonly (string Name, Stage Apply)[] Stages =
    [
        ("telemetry", static (inner, services, options) => options.Telemetry.Enabled
            ? new InstrumentingChatClient(inner, services.GetService<LlmOpsTelemetry>(), options.Telemetry, services.GetService<TimeProvider>())
            : inner),
        ("guardrails", static (inner, services, _) => services.GetService<GuardrailsOptions>() is { } guardrails // input before anything costs money; output on every answer
            ? new GuardrailsChatClient(inner, guardrails, services.GetService<LlmOpsTelemetry>(), services.GetService<TimeProvider>())
            : inner),
        ("prompts", static (inner, services, _) => services.GetService<PromptRegistry>() is { } registry
            ? new PromptRegistryChatClient(inner, registry)
            : inner),
        // grounding: retrieve context and inject it with citation markers
        ("cache", static (inner, services, _) => SemanticCachingChatClientBuilderExtensions.CreateStage(inner, services)), // exact, then semantic
        // routing: choose model(s); cascade/fallback; budget admission
        ("metering", static (inner, services, _) => CostMeteringLlmOpsBuilderExtensions.IsRegistered(services) // per provider call, innermost
            ? CostMeteringChatClientBuilderExtensions.Create(inner, services)
            : inner),
    ];

    /// <summary>Gets the validated options from DI, or defaults when <c>AddLlmOps()</c> was not called.</summary>
    public static LlmOpsOptions GetOptions(IServiceProvider services)
    {
        var options = services.GetService<IOptions<LlmOpsOptions>>()?.Value;
        if (options is not null)
        {
            return options;
        }

        options = new LlmOpsOptions();
        var errors = options.Validate();
        return errors.Count == 0 ? options : throw new OptionsValidationException("LlmOps", typeof(LlmOpsOptions), errors);
    }
}
