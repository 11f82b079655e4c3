namespace LlmOps.Retrieval;

/// <summary>Receives the terms produced by an <see cref="ITextAnalyzer"/>.</summary>
public interface ITermSink
{
    /// <summary>Receives one term. The span is valid only during the call; copy it to keep it.</summary>
    /// <param name="term">The term.</param>
    void Add(ReadOnlySpan<char> term);
}
