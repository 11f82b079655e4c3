namespace LlmOps.Caching;

/// <summary>A labelled pair of questions for <see cref="SemanticCacheCalibrator"/>.</summary>
/// <param name="First">One question.</param>
/// <param name="Second">The other question.</param>
/// <param name="ShouldMatch"><see langword="true"/> when one cached answer serves both (a paraphrase); <see langword="false"/> when it must not.</param>
public readonly record struct SemanticCachePair(string First, string Second, bool ShouldMatch);
