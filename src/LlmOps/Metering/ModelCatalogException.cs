namespace LlmOps.Metering;

/// <summary>
/// Thrown when a model or price definition is invalid (a negative or missing price, an unknown currency, an empty
/// name, a malformed price file). The message lists every problem, each naming the model and the field.
/// </summary>
public sealed class ModelCatalogException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ModelCatalogException"/> class.</summary>
    public ModelCatalogException()
        : this("The model catalog is invalid.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ModelCatalogException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ModelCatalogException(string message)
        : base(message)
    {
        Errors = [message];
    }

    /// <summary>Initializes a new instance of the <see cref="ModelCatalogException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ModelCatalogException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Initializes a new instance of the <see cref="ModelCatalogException"/> class with one message per problem.</summary>
    /// <param name="errors">The problems.</param>
    public ModelCatalogException(IReadOnlyList<string> errors)
        : base("The model catalog is invalid: " + string.Join(" ", errors ?? []))
    {
        Errors = errors ?? [];
    }

    /// <summary>Gets the problems found, one message each.</summary>
    public IReadOnlyList<string> Errors { get; }
}
