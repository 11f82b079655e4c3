using LlmOps.Telemetry;

namespace LlmOps;

/// <summary>
/// Options shared by every LlmOps stage, configured with <c>services.AddLlmOps(ops =&gt; …)</c> and
/// validated at startup. Each concern has its own section.
/// </summary>
public sealed class LlmOpsOptions
{
    /// <summary>Gets or sets the telemetry options.</summary>
    /// <value>The default value enables the telemetry stage without message content.</value>
    public LlmOpsTelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Checks every section and returns one message per bad option, each naming the option and its value.</summary>
    /// <returns>The problems found; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Telemetry is null)
        {
            errors.Add("LlmOpsOptions.Telemetry must not be null; remove the assignment to keep the defaults.");
        }
        else
        {
            errors.AddRange(Telemetry.Validate());
        }

        return errors;
    }
}
