using LlmOps.DependencyInjection;

namespace LlmOps.Telemetry;

/// <summary>
/// Options for the telemetry stage (<see cref="InstrumentingChatClient"/>), registered with
/// <c>services.AddLlmOps().AddLlmOpsTelemetry(o =&gt; …)</c> and validated at startup.
/// </summary>
public sealed class LlmOpsTelemetryOptions : IValidatableOptions
{
    /// <summary>Gets or sets a value indicating whether <c>UseLlmOps()</c> adds the telemetry stage.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether message content (prompts and answers) is recorded on spans.
    /// Content can hold personal data; leave it off in production unless your trace store is cleared for it.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool EnableSensitiveData { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the request scope (tenant, user, feature) becomes metric and
    /// span tags. Off by default: raw ids make metric cardinality unbounded.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IncludeScopeInTags { get; set; }

    /// <summary>Gets or sets the longest message content, in characters, recorded on a span when <see cref="EnableSensitiveData"/> is on.</summary>
    /// <value>The default value is 4096.</value>
    public int MaxRecordedContentLength { get; set; } = 4096;

    /// <summary>Checks the options and returns one message per bad option, naming the option, its value and the allowed range.</summary>
    /// <returns>The problems found; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxRecordedContentLength <= 0)
        {
            errors.Add($"LlmOpsTelemetryOptions.MaxRecordedContentLength must be greater than 0; was {MaxRecordedContentLength}.");
        }

        return errors;
    }

    /// <summary>Copies every setting from <paramref name="other"/>.</summary>
    internal void CopyFrom(LlmOpsTelemetryOptions other)
    {
        Enabled = other.Enabled;
        EnableSensitiveData = other.EnableSensitiveData;
        IncludeScopeInTags = other.IncludeScopeInTags;
        MaxRecordedContentLength = other.MaxRecordedContentLength;
    }
}
