using LlmOps.Guardrails.Injection;

namespace LlmOps.Guardrails.Training;

/// <summary>
/// A text as the model reads it: one feature vector per chunk (<see cref="InjectionModel.Chunks"/>; a single chunk when
/// the text is short), each chunk's context, and the grammar's score.
/// </summary>
/// <param name="Chunks">The chunks' vectors.</param>
/// <param name="RuleScore">The grammar's score for the text.</param>
/// <param name="Contexts">For each chunk, its context: the span from the chunk before it to the chunk after it.</param>
internal sealed record TrainingSample(FeatureVector[] Chunks, double RuleScore, FeatureVector[] Contexts)
{
    /// <summary>Gets a value indicating whether the first chunk is the whole (short) text and the others are its clauses (a candidate reading).</summary>
    public bool FirstIsWhole { get; init; }

    /// <summary>Gets a value indicating whether an attack's first chunk also trains as a positive in every epoch (a candidate's training rule).</summary>
    public bool TrainFirst { get; init; }

    /// <summary>Gets a value indicating whether a benign text trains only its first chunk as a negative (a candidate's training rule).</summary>
    public bool NegativeFirstOnly { get; init; }

    /// <summary>Gets a value indicating whether only the first chunk trains, as a whole text would (a candidate's training rule).</summary>
    public bool TrainOnlyFirst { get; init; }

    /// <summary>Gets the amount subtracted from the logit of every chunk but the first when scoring (a candidate's clause rule).</summary>
    public double LaterShift { get; init; }

    /// <summary>Scores the text as the guardrail does: its most suspicious chunk.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The probability.</returns>
    public double Score(InjectionModel model)
    {
        // As PromptInjectionGuardrail.ModelScore: the most suspicious chunk, each chunk vetoed by its context.
        var best = double.NegativeInfinity;
        for (var k = 0; k < Chunks.Length; k++)
        {
            var chunk = Chunks[k].Logit(model);
            best = Math.Max(best, Chunks.Length == 1 ? chunk : Math.Min(chunk, Contexts[k].Logit(model)) - (k > 0 ? LaterShift : 0));
        }

        return 1 / (1 + Math.Exp(-best));
    }
}
