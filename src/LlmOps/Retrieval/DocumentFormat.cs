namespace LlmOps.Retrieval;

/// <summary>How <see cref="DocumentChunker"/> reads a document's text.</summary>
public enum DocumentFormat
{
    /// <summary>Plain text: paragraphs are separated by blank lines.</summary>
    PlainText = 0,

    /// <summary>
    /// Markdown: ATX (<c>## Title</c>) and setext headings start sections and give every chunk its heading path;
    /// fenced code blocks are never read as headings; list items and table rows are units of their own.
    /// </summary>
    Markdown = 1,
}
