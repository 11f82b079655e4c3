namespace LlmOps.Prompts;

/// <summary>Options of a <see cref="PromptRegistry"/>.</summary>
public sealed class PromptRegistryOptions
{
    /// <summary>Gets or sets how long a resolved prompt is served from memory before the store is read again.</summary>
    /// <value>The default value is 30 seconds. <see cref="TimeSpan.Zero"/> reads the store on every call.</value>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets a value indicating whether values for undeclared variables are ignored instead of rejected.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowUnknownVariables { get; set; }

    /// <summary>Validates the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="RefreshInterval"/> is negative.</exception>
    public void Validate()
    {
        if (RefreshInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RefreshInterval), RefreshInterval, $"PromptRegistryOptions.RefreshInterval must be zero or positive, but was {RefreshInterval}.");
        }
    }
}
