namespace LlmOps.Retrieval;

/// <summary>One sentence of a grounded answer and how well the sources support it.</summary>
/// <param name="Text">The sentence, without its citation markers.</param>
/// <param name="Citations">The source numbers it cites.</param>
/// <param name="Support">The support score in [0, 1] (<see cref="GroundednessScorer.Support"/>), against the sources it cites or, when it cites none, the best of all.</param>
/// <param name="Supported">Whether <paramref name="Support"/> reaches <see cref="GroundingOptions.MinSupport"/>.</param>
public sealed record GroundingSentence(string Text, IReadOnlyList<int> Citations, double Support, bool Supported);
