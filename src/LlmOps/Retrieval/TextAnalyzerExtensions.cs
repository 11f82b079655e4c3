namespace LlmOps.Retrieval;

/// <summary>Convenience methods for <see cref="ITextAnalyzer"/>.</summary>
public static class TextAnalyzerExtensions
{
    /// <summary>Analyzes <paramref name="text"/> and returns its terms, in order.</summary>
    /// <param name="analyzer">The analyzer.</param>
    /// <param name="text">The text.</param>
    /// <returns>The terms.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="analyzer"/> or <paramref name="text"/> is <see langword="null"/>.</exception>
    public static IReadOnlyList<string> Analyze(this ITextAnalyzer analyzer, string text)
    {
        ArgumentNullException.ThrowIfNull(analyzer);
        ArgumentNullException.ThrowIfNull(text);
        var sink = new ListSink();
        analyzer.Analyze(text, sink);
        return sink.Terms;
    }

    private sealed class ListSink : ITermSink
    {
        public List<string> Terms { get; } = [];

        public void Add(ReadOnlySpan<char> term) => Terms.Add(term.ToString());
    }
}
