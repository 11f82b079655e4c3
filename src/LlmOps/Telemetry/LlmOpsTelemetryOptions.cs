namespace LlmOps.Telemetry;

/// <summary>Options for the telemetry stage.</summary>
public sealed class LlmOpsTelemetryOptions
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

    internal IEnumerable<string> Validate()
    {
        if (MaxRecordedContentLength <= 0)
        {
            yield return $"LlmOpsOptions.Telemetry.MaxRecordedContentLength must be greater than 0 (it was {MaxRecordedContentLength}).";
        }
    }
}
