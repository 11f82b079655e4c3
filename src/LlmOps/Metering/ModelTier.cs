namespace LlmOps.Metering;

/// <summary>
/// A model size class that carries a default price: <see cref="Small"/>, <see cref="Medium"/>,
/// <see cref="Large"/>, or a custom tier created with a name of your own.
/// </summary>
/// <param name="Name">The tier name; compared case-insensitively.</param>
public readonly record struct ModelTier(string Name)
{
    /// <summary>Gets the small tier (1–7B parameters; classification, extraction). Default price 0.50 USD per 1M tokens.</summary>
    public static ModelTier Small { get; } = new("Small");

    /// <summary>Gets the medium tier (8–70B parameters; Q&amp;A, summarisation). Default price 3.00 USD per 1M tokens.</summary>
    public static ModelTier Medium { get; } = new("Medium");

    /// <summary>Gets the large tier (70B+ parameters; complex reasoning, code). Default price 15.00 USD per 1M tokens.</summary>
    public static ModelTier Large { get; } = new("Large");

    /// <summary>Gets a value indicating whether the tier has no name (the default value).</summary>
    public bool IsEmpty => string.IsNullOrEmpty(Name);

    /// <inheritdoc/>
    public bool Equals(ModelTier other) => string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override int GetHashCode() => Name is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Name);

    /// <inheritdoc/>
    public override string ToString() => Name ?? string.Empty;
}
