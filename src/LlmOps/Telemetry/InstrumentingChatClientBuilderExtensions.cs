using LlmOps.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmOps;

/// <summary>Adds the LlmOps telemetry stage to a <see cref="ChatClientBuilder"/>.</summary>
public static class InstrumentingChatClientBuilderExtensions
{
    /// <summary>
    /// Adds an <see cref="InstrumentingChatClient"/>: a span and request metrics for every call. Services
    /// (<see cref="LlmOpsTelemetry"/>, <see cref="TimeProvider"/>, <c>LlmOpsOptions</c>) come from DI when present.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adjusts the options for this client only.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ChatClientBuilder UseLlmOpsTelemetry(this ChatClientBuilder builder, Action<LlmOpsTelemetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var telemetry = services.GetService<LlmOpsTelemetry>();
            var time = services.GetService<TimeProvider>();
            var shared = services.GetService<IOptions<LlmOpsOptions>>()?.Value.Telemetry;
            var options = new LlmOpsTelemetryOptions
            {
                Enabled = shared?.Enabled ?? true,
                EnableSensitiveData = shared?.EnableSensitiveData ?? false,
                IncludeScopeInTags = shared?.IncludeScopeInTags ?? false,
                MaxRecordedContentLength = shared?.MaxRecordedContentLength ?? 4096,
            };
            configure?.Invoke(options);
            return new InstrumentingChatClient(inner, telemetry, options, time);
        });
    }
}
