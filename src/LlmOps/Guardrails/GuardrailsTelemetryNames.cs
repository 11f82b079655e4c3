namespace LlmOps.Guardrails;

/// <summary>
/// The names of every instrument and attribute the guardrails stage emits, on the <c>LlmOps</c> meter
/// (<see cref="Telemetry.LlmOpsTelemetry"/>). Subscribe with OpenTelemetry's <c>AddMeter("LlmOps")</c>.
/// </summary>
public static class GuardrailsTelemetryNames
{
    /// <summary>
    /// Counter (<c>long</c>, unit <c>{violation}</c>): one per scanner result other than Allow, tagged with
    /// <see cref="ScannerAttribute"/>, <see cref="StageAttribute"/> and <see cref="ActionAttribute"/>.
    /// </summary>
    public const string Violations = "llmops.guardrail.violations";

    /// <summary>Attribute (string): the <see cref="IGuardrail.Name"/> of the scanner that reported, for example <c>pii</c>.</summary>
    public const string ScannerAttribute = "llmops.guardrail.scanner";

    /// <summary>Attribute (string): the stage scanned, <c>input</c> or <c>output</c>.</summary>
    public const string StageAttribute = "llmops.guardrail.stage";

    /// <summary>
    /// Attribute (string): the action, <c>block</c>, <c>redact</c> or <c>flag</c> on <see cref="Violations"/>; also the
    /// request tag (on <see cref="LlmOpsInfo.Tags"/> and the request span) with the request's strongest action, where
    /// <c>allow</c> is possible too.
    /// </summary>
    public const string ActionAttribute = "llmops.guardrail.action";
}
