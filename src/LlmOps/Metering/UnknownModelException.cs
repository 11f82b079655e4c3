namespace LlmOps.Metering;

/// <summary>
/// Thrown before any provider call when a budget applies to the request and its model is not in the
/// <see cref="ModelCatalog"/>, and either <see cref="CostMeteringOptions.RejectUnknownModels"/> is set or no price is
/// known to reserve at. Add the model to the catalog (or a price file), or set a default tier.
/// </summary>
public sealed class UnknownModelException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="UnknownModelException"/> class.</summary>
    public UnknownModelException()
        : this("The request's model is not in the model catalog.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UnknownModelException"/> class.</summary>
    /// <param name="message">The message.</param>
    public UnknownModelException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UnknownModelException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public UnknownModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the model id that is not in the catalog.</summary>
    public string? ModelId { get; init; }
}
