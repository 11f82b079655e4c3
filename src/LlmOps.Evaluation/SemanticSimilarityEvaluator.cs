using System.Globalization;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation;

/// <summary>
/// Cosine similarity between the embedding of the response and the embeddings of the <see cref="ReferenceContext"/>
/// references, through any <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> (for example the offline MiniLM
/// generator of <c>LlmOps.Embeddings.MiniLM</c>); the best reference counts. The score is the cosine, −1 to 1.
/// Thread-safe when the generator is.
/// </summary>
public sealed class SemanticSimilarityEvaluator : IEvaluator
{
    /// <summary>The metric's name.</summary>
    public const string SemanticSimilarityMetricName = "Semantic Similarity";

    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly double _passThreshold;

    /// <summary>Initializes a new instance of the <see cref="SemanticSimilarityEvaluator"/> class.</summary>
    /// <param name="generator">The embedding generator.</param>
    /// <param name="passThreshold">The cosine (0–1) below which the metric is interpreted as failed. The default is 0.7.</param>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passThreshold"/> is outside 0–1.</exception>
    public SemanticSimilarityEvaluator(IEmbeddingGenerator<string, Embedding<float>> generator, double passThreshold = 0.7)
    {
        ArgumentNullException.ThrowIfNull(generator);
        EvaluatorSupport.ValidateThreshold(passThreshold, 1, nameof(passThreshold));
        _generator = generator;
        _passThreshold = passThreshold;
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> EvaluationMetricNames { get; } = [SemanticSimilarityMetricName];

    /// <inheritdoc/>
    public async ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(modelResponse);
        IReadOnlyList<string>? references = EvaluatorSupport.FindReferences(additionalContext);
        if (references is null)
        {
            return EvaluatorSupport.MissingReferences(nameof(SemanticSimilarityEvaluator), EvaluationMetricNames);
        }

        var inputs = new List<string>(references.Count + 1) { modelResponse.Text };
        inputs.AddRange(references);
        GeneratedEmbeddings<Embedding<float>> embeddings = await _generator.GenerateAsync(inputs, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (embeddings.Count != inputs.Count)
        {
            var metric = new NumericMetric(SemanticSimilarityMetricName);
            metric.AddDiagnostics(EvaluationDiagnostic.Error(
                $"The embedding generator returned {embeddings.Count} embeddings for {inputs.Count} texts; it must return one per input."));
            return new EvaluationResult(metric);
        }

        ReadOnlySpan<float> response = embeddings[0].Vector.Span;
        double best = double.NegativeInfinity;
        for (int i = 1; i < embeddings.Count; i++)
        {
            ReadOnlySpan<float> reference = embeddings[i].Vector.Span;
            if (reference.Length != response.Length)
            {
                throw new InvalidOperationException(
                    $"The embedding generator returned vectors of different lengths ({response.Length} and {reference.Length}); use one model for the response and the references.");
            }

            best = Math.Max(best, TensorPrimitives.CosineSimilarity(response, reference));
        }

        string reason = string.Create(CultureInfo.InvariantCulture, $"Best cosine similarity to a reference: {best:0.####}.");
        return new EvaluationResult(EvaluatorSupport.Metric(SemanticSimilarityMetricName, best, 1, _passThreshold, reason));
    }
}
