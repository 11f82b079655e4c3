namespace LlmOps.Guardrails.Training;

/// <summary>A text's sparse features (indices may repeat; each occurrence counts).</summary>
/// <param name="Indices">The weight indices.</param>
/// <param name="Values">The values.</param>
/// <param name="RuleScore">The rule layer's score for the text.</param>
internal sealed record FeatureVector(int[] Indices, float[] Values, double RuleScore)
{
    /// <summary>Scores the vector with weights and a bias.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The probability.</returns>
    public double Score(LlmOps.Guardrails.Scanners.InjectionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var weights = model.Weights;
        double z = model.Bias;
        for (var k = 0; k < Indices.Length; k++)
        {
            z += weights[Indices[k]] * Values[k];
        }

        return 1 / (1 + Math.Exp(-z));
    }
}
