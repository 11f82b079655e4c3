using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace LlmOps.Guardrails.Scanners;

/// <summary>
/// Blocks (or flags) text about a banned topic: each window of the text is embedded with any
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> and compared by cosine similarity with the embedded topic
/// descriptions ("medical diagnosis", "legal advice about a specific case"). Describe a topic in a sentence or two;
/// the similarity that separates on-topic from off-topic text depends on the embedding model, so tune
/// <see cref="Threshold"/> on a few examples of your own.
/// </summary>
public sealed class BannedTopicsGuardrail : IGuardrail
{
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly string[] _topics;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private float[][]? _topicVectors;

    /// <summary>Initializes a new instance of the <see cref="BannedTopicsGuardrail"/> class.</summary>
    /// <param name="generator">The embedding generator.</param>
    /// <param name="topics">Descriptions of the banned topics.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="topics"/> is empty or holds an empty description.</exception>
    public BannedTopicsGuardrail(IEmbeddingGenerator<string, Embedding<float>> generator, IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(topics);
        _generator = generator;
        _topics = [.. topics];
        if (_topics.Length == 0 || Array.Exists(_topics, string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Give at least one banned topic, and no empty descriptions.", nameof(topics));
        }
    }

    /// <inheritdoc/>
    public string Name => "banned_topics";

    /// <inheritdoc/>
    public GuardrailStage Stages { get; set; } = GuardrailStage.Input;

    /// <summary>Gets or sets what happens when the embedding generator fails or times out.</summary>
    /// <value>The default value is <see cref="GuardrailFailureMode.FailOpen"/>: an embedding outage flags rather than blocking all traffic.</value>
    public GuardrailFailureMode FailureMode { get; set; } = GuardrailFailureMode.FailOpen;

    /// <summary>Gets or sets the cosine similarity at or above which a window is on a banned topic.</summary>
    /// <value>The default value is 0.6.</value>
    public double Threshold { get; set; } = 0.6;

    /// <summary>Gets or sets the window size in characters.</summary>
    /// <value>The default value is 1,000.</value>
    public int WindowSize { get; set; } = 1000;

    /// <summary>Gets or sets a value indicating whether a banned topic is flagged rather than blocked.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool FlagOnly { get; set; }

    /// <inheritdoc/>
    public async ValueTask<GuardrailResult> ScanAsync(string text, GuardrailContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            return GuardrailResult.Allow();
        }

        var topics = await TopicVectorsAsync(cancellationToken).ConfigureAwait(false);
        var size = Math.Max(64, WindowSize);
        var step = Math.Max(1, size - (size / 5));
        var windows = new List<string>();
        for (var start = 0; start < text.Length; start += step)
        {
            windows.Add(text.Substring(start, Math.Min(size, text.Length - start)));
            if (start + size >= text.Length)
            {
                break;
            }
        }

        var embedded = await _generator.GenerateAsync(windows, cancellationToken: cancellationToken).ConfigureAwait(false);
        var best = 0f;
        var bestTopic = -1;
        var bestWindow = 0;
        for (var w = 0; w < embedded.Count; w++)
        {
            var vector = embedded[w].Vector.Span;
            for (var t = 0; t < topics.Length; t++)
            {
                if (topics[t].Length != vector.Length)
                {
                    continue;
                }

                var similarity = TensorPrimitives.CosineSimilarity(vector, topics[t]);
                if (similarity > best)
                {
                    (best, bestTopic, bestWindow) = (similarity, t, w);
                }
            }
        }

        if (bestTopic < 0 || best < Threshold)
        {
            return GuardrailResult.Allow();
        }

        var spanStart = bestWindow * step;
        var finding = new GuardrailFinding(
            "topic.banned", spanStart, Math.Min(size, text.Length - spanStart), Math.Clamp(best, 0, 1),
            $"Close to banned topic #{bestTopic} (cosine {best:0.00}, threshold {Threshold:0.00}).");
        return FlagOnly ? GuardrailResult.Flag([finding]) : GuardrailResult.Block([finding]);
    }

    private async ValueTask<float[][]> TopicVectorsAsync(CancellationToken cancellationToken)
    {
        if (_topicVectors is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_topicVectors is null)
            {
                var embedded = await _generator.GenerateAsync(_topics, cancellationToken: cancellationToken).ConfigureAwait(false);
                _topicVectors = [.. embedded.Select(e => e.Vector.ToArray())];
            }

            return _topicVectors;
        }
        finally
        {
            _gate.Release();
        }
    }
}
