using LlmOps.DependencyInjection;

namespace LlmOps.Prompts;

/// <summary>
/// Options of a <see cref="PromptRegistry"/> and the prompt stage, registered with
/// <c>services.AddLlmOps().AddPromptRegistry(o =&gt; …)</c> and validated at startup.
/// </summary>
public sealed class PromptRegistryOptions : IValidatableOptions
{
    /// <summary>Gets or sets how long a resolved prompt is served from memory before the store is read again.</summary>
    /// <value>The default value is 30 seconds. <see cref="TimeSpan.Zero"/> reads the store on every call.</value>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets a value indicating whether values for undeclared variables are ignored instead of rejected.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowUnknownVariables { get; set; }

    /// <summary>Checks the options and returns one message per bad option, naming the option, its value and the allowed range.</summary>
    /// <returns>The problems found; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (RefreshInterval < TimeSpan.Zero)
        {
            errors.Add($"PromptRegistryOptions.RefreshInterval must be zero or positive; was {RefreshInterval}.");
        }

        return errors;
    }
}
