namespace LlmOps;

/// <summary>Opens the data files embedded in the LlmOps assembly (trained weights, word tables, exemplars).</summary>
internal static class EmbeddedResources
{
    /// <summary>Opens the embedded resource <paramref name="name"/>.</summary>
    /// <param name="name">The resource's manifest name, for example <c>LlmOps.Caching.CachePairModel.bin</c>.</param>
    /// <returns>A stream the caller disposes.</returns>
    /// <exception cref="InvalidOperationException">The resource is not in the assembly: the package is damaged.</exception>
    public static Stream Open(string name) =>
        typeof(EmbeddedResources).Assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException(
            $"The embedded resource '{name}' is missing from the LlmOps assembly; the package is damaged. Reinstall or rebuild LlmOps.");
}
