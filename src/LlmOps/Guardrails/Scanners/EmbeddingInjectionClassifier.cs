using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace LlmOps.Guardrails.Scanners;

/// <summary>
/// An <see cref="IInjectionClassifier"/> that scores a text by its cosine similarity to the nearest of a set of known
/// attacks, embedded once with any <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>. Scores below
/// <see cref="Floor"/> map to 0 and the rest are rescaled to [0, 1].
/// </summary>
public sealed class EmbeddingInjectionClassifier : IInjectionClassifier
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly IReadOnlyList<string> _attacks;
    private float[][]? _vectors;

    /// <summary>Initializes a new instance of the <see cref="EmbeddingInjectionClassifier"/> class.</summary>
    /// <param name="generator">The embedding generator.</param>
    /// <param name="knownAttacks">Known attack texts.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="knownAttacks"/> is empty.</exception>
    public EmbeddingInjectionClassifier(IEmbeddingGenerator<string, Embedding<float>> generator, IEnumerable<string> knownAttacks)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(knownAttacks);
        _generator = generator;
        _attacks = [.. knownAttacks];
        if (_attacks.Count == 0)
        {
            throw new ArgumentException("Give at least one known attack text.", nameof(knownAttacks));
        }
    }

    /// <summary>Gets or sets the cosine similarity at or below which the score is 0.</summary>
    /// <value>The default value is 0.75.</value>
    public float Floor { get; set; } = 0.75f;

    /// <inheritdoc/>
    public async ValueTask<double> ScoreAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var vectors = _vectors;
        if (vectors is null)
        {
            var embedded = await _generator.GenerateAsync(_attacks, cancellationToken: cancellationToken).ConfigureAwait(false);
            vectors = [.. embedded.Select(e => e.Vector.ToArray())];
            _vectors = vectors;
        }

        var query = (await _generator.GenerateAsync([text], cancellationToken: cancellationToken).ConfigureAwait(false))[0].Vector.Span;
        var best = 0f;
        foreach (var v in vectors)
        {
            if (v.Length == query.Length)
            {
                best = Math.Max(best, TensorPrimitives.CosineSimilarity(query, v));
            }
        }

        return best <= Floor ? 0 : Math.Clamp((best - Floor) / (1 - Floor), 0, 1);
    }
}
