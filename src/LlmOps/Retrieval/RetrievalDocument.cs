namespace LlmOps.Retrieval;

/// <summary>
/// A document to ingest: an id unique within its scope, its text, and optional title, source URI and metadata.
/// Documents in different scopes (tenants) never see each other, even with the same id and text.
/// </summary>
public sealed class RetrievalDocument
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

    /// <summary>Initializes a new instance of the <see cref="RetrievalDocument"/> class.</summary>
    /// <param name="id">The document id, unique within <see cref="Scope"/>.</param>
    /// <param name="text">The text; chunk offsets point into it.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public RetrievalDocument(string id, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(text);
        Id = id;
        Text = text;
    }

    /// <summary>Gets the document id, unique within <see cref="Scope"/>.</summary>
    public string Id { get; }

    /// <summary>Gets the text. Every chunk's <see cref="DocumentChunk.Start"/> is an offset into it.</summary>
    public string Text { get; }

    /// <summary>Gets the title; it is indexed with every chunk but is not part of <see cref="Text"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Title { get; init; }

    /// <summary>Gets where the document came from (a URL or file URI), for citations.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Uri? SourceUri { get; init; }

    /// <summary>Gets free-form metadata carried to every chunk.</summary>
    /// <value>The default value is an empty dictionary.</value>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = NoMetadata;

    /// <summary>
    /// Gets the scope (tenant) the document belongs to; <see langword="null"/> is the unscoped partition. A search in
    /// one scope never returns a document of another. Use the same string as the requests' scope, for example
    /// <see cref="LlmOpsScope.Tenant"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Scope { get; init; }

    /// <summary>Gets how the text is read: plain text or Markdown.</summary>
    /// <value>The default value is <see cref="DocumentFormat.PlainText"/>.</value>
    public DocumentFormat Format { get; init; } = DocumentFormat.PlainText;
}
