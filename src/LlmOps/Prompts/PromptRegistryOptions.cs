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

    /// <summary>
    /// Gets or sets the directory of prompt files that <c>AddPromptFiles(directory)</c> serves through a
    /// <see cref="FilePromptStore"/>; <see langword="null"/> when the prompts are not file-based.
    /// </summary>
    /// <value>The default value is <see langword="null"/>. When set: a path that is not an existing file and whose nearest existing ancestor is a directory.</value>
    public string? FilesDirectory { get; set; }

    /// <summary>Checks the options and returns one message per bad option, naming the option, its value and the allowed range.</summary>
    /// <returns>The problems found; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (RefreshInterval < TimeSpan.Zero)
        {
            errors.Add($"PromptRegistryOptions.RefreshInterval must be zero or positive; was {RefreshInterval}.");
        }

        if (FilesDirectory is { } directory)
        {
            if (ValidateDirectory(directory) is { } problem)
            {
                errors.Add($"PromptRegistryOptions.FilesDirectory must be a directory path that can be created or read; was '{directory}': {problem}");
            }
        }

        return errors;
    }

    private static string? ValidateDirectory(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            return "it is empty.";
        }

        string full;
        try
        {
            full = Path.GetFullPath(directory);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return ex.Message;
        }

        if (File.Exists(full))
        {
            return "it is a file; give a directory.";
        }

        // The store creates the directory: its nearest existing ancestor must be a directory.
        for (var parent = full; parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (Directory.Exists(parent))
            {
                return null;
            }

            if (File.Exists(parent))
            {
                return $"'{parent}' is a file, so the directory cannot be created.";
            }
        }

        return "no part of it exists.";
    }
}
