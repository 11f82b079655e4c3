using LlmOps.Metering;

namespace LlmOps.Retrieval;

/// <summary>
/// A span of a document's text, as produced by <see cref="DocumentChunker"/>: the exact characters
/// <c>document.Text[Start..End]</c>, with the Markdown heading path above it and the text that is indexed and embedded.
/// </summary>
public sealed class DocumentChunk
{
    private SourceAnalysis? _analysis;
    private string? _indexKey;

    internal DocumentChunk(
        RetrievalDocument document, int index, int start, int length, IReadOnlyList<string> headingPath, string indexText, int tokenCount, string contentHash,
        TokenEncoding? tokenEncoding = null)
    {
        TokenEncoding = tokenEncoding;
        DocumentId = document.Id;
        Scope = document.Scope;
        Title = document.Title;
        SourceUri = document.SourceUri;
        Metadata = document.Metadata;
        Index = index;
        Start = start;
        Length = length;
        Text = document.Text.Substring(start, length);
        HeadingPath = headingPath;
        IndexText = indexText;
        TokenCount = tokenCount;
        ContentHash = contentHash;
    }

    internal DocumentChunk(
        string documentId, string? scope, string? title, Uri? sourceUri, IReadOnlyDictionary<string, string> metadata, int index, int start, string text,
        IReadOnlyList<string> headingPath, string indexText, int tokenCount, string contentHash)
    {
        DocumentId = documentId;
        Scope = scope;
        Title = title;
        SourceUri = sourceUri;
        Metadata = metadata;
        Index = index;
        Start = start;
        Length = text.Length;
        Text = text;
        HeadingPath = headingPath;
        IndexText = indexText;
        TokenCount = tokenCount;
        ContentHash = contentHash;
    }

    /// <summary>Gets the id of the document the chunk belongs to.</summary>
    public string DocumentId { get; }

    /// <summary>Gets the document's scope; <see langword="null"/> is the unscoped partition.</summary>
    public string? Scope { get; }

    /// <summary>Gets the document's title, or <see langword="null"/>.</summary>
    public string? Title { get; }

    /// <summary>Gets the document's source URI, or <see langword="null"/>.</summary>
    public Uri? SourceUri { get; }

    /// <summary>Gets the document's metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Gets the position of the chunk within its document, from 0.</summary>
    public int Index { get; }

    /// <summary>Gets the offset of the chunk's first character in <see cref="RetrievalDocument.Text"/>.</summary>
    public int Start { get; }

    /// <summary>Gets the number of characters of the chunk.</summary>
    public int Length { get; }

    /// <summary>Gets the offset just past the chunk's last character in <see cref="RetrievalDocument.Text"/>.</summary>
    public int End => Start + Length;

    /// <summary>Gets the chunk's text: exactly <c>document.Text.Substring(Start, Length)</c>.</summary>
    public string Text { get; }

    /// <summary>Gets the Markdown headings above the chunk, outermost first; empty for plain text.</summary>
    public IReadOnlyList<string> HeadingPath { get; }

    /// <summary>
    /// Gets the text that is indexed and embedded: the title and heading path (when the chunker includes them), then
    /// <see cref="Text"/>.
    /// </summary>
    public string IndexText { get; }

    /// <summary>Gets the number of tokens of <see cref="Text"/> as counted by the chunker's token counter.</summary>
    public int TokenCount { get; }

    /// <summary>
    /// Gets the encoding <see cref="TokenCount"/> was counted with, or <see langword="null"/> when unknown (a chunk read
    /// back from a vector store record).
    /// </summary>
    internal TokenEncoding? TokenEncoding { get; }

    /// <summary>
    /// Gets a hash of <see cref="IndexText"/> (16 hex digits, XxHash64). Re-ingesting a document re-embeds only the
    /// chunks whose hash changed.
    /// </summary>
    public string ContentHash { get; }

    /// <summary>
    /// Gets the chunk's key in a <see cref="DocumentIndex"/>'s indexes, built on first use and kept (the sufficiency check
    /// and hybrid fusion look chunks up by it on every request).
    /// </summary>
    internal string IndexKey => Volatile.Read(ref _indexKey) ?? (_indexKey = DocumentIndex.ChunkKey(Scope, DocumentId, Index));

    /// <summary>
    /// The chunk's text and title analysed by <paramref name="scorer"/>, computed on first use and kept: a chunk that is
    /// retrieved again is not analysed again. Racing first calls compute the same value; one of them is kept.
    /// </summary>

    internal SourceAnalysis GetAnalysis(GroundednessScorer scorer)
    {
        if (Volatile.Read(ref _analysis) is { } analysis && ReferenceEquals(analysis.Scorer, scorer))
        {
            return analysis;
        }

        analysis = scorer.Analyze(Text, Title);
        Volatile.Write(ref _analysis, analysis);
        return analysis;
    }
}
