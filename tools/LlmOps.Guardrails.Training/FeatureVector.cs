using LlmOps.Guardrails.Injection;

namespace LlmOps.Guardrails.Training;

/// <summary>A text's sparse features (indices may repeat; each occurrence counts).</summary>
/// <param name="Indices">The weight indices.</param>
/// <param name="Values">The values.</param>
internal sealed record FeatureVector(int[] Indices, float[] Values)
{
    /// <summary>Computes the logit under a model.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The logit.</returns>
    public double Logit(InjectionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Logit(model.Weights, model.Bias);
    }

    /// <summary>Computes the logit under weights and a bias.</summary>
    /// <param name="weights">The weights.</param>
    /// <param name="bias">The bias.</param>
    /// <returns>The logit.</returns>
    public double Logit(ReadOnlySpan<float> weights, float bias)
    {
        double z = bias;
        for (var k = 0; k < Indices.Length; k++)
        {
            z += weights[Indices[k]] * Values[k];
        }

        return z;
    }
}
