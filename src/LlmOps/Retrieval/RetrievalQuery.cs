namespace LlmOps.Retrieval;

/// <summary>A retrieval request: the query text, the scope to search, how many results and at which level.</summary>
public sealed class RetrievalQuery
{
    /// <summary>The default <see cref="Top"/>: 10.</summary>
    public const int DefaultTop = 10;

    /// <summary>Initializes a new instance of the <see cref="RetrievalQuery"/> class.</summary>
    /// <param name="text">The query text.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public RetrievalQuery(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
    }

    /// <summary>Gets the query text.</summary>
    public string Text { get; }

    /// <summary>
    /// Gets the scope (tenant) to search; <see langword="null"/> searches only the unscoped documents. Documents of
    /// other scopes are never returned.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Scope { get; init; }

    /// <summary>Gets the largest number of results.</summary>
    /// <value>The default value is <see cref="DefaultTop"/>.</value>
    public int Top { get; init; } = DefaultTop;

    /// <summary>Gets what is ranked: chunks or documents.</summary>
    /// <value>The default value is <see cref="RetrievalLevel.Chunk"/>.</value>
    public RetrievalLevel Level { get; init; } = RetrievalLevel.Chunk;

    internal void Validate()
    {
        if (Top < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Top), Top, $"RetrievalQuery.Top must be at least 1; was {Top}.");
        }
    }
}
