using LlmOps.Telemetry;

namespace LlmOps;

/// <summary>The former shared options; only their telemetry section remains, forwarded to <see cref="LlmOpsTelemetryOptions"/>.</summary>
[Obsolete("Configure each stage with its own AddXxx(o => ...): telemetry with AddLlmOpsTelemetry. This type will be removed in the next minor release.")]
public sealed class LlmOpsOptions
{
    /// <summary>Gets or sets the telemetry options.</summary>
    /// <value>The default value enables the telemetry stage without message content.</value>
    public LlmOpsTelemetryOptions Telemetry { get; set; } = new();
}
