using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmOps.Guardrails.Injection;

/// <summary>
/// The second stage of <see cref="PromptInjectionGuardrail"/>: a classifier head over the all-MiniLM-L6-v2 sentence
/// embedding of a text, consulted only for texts whose fast score falls in the uncertain band
/// [<see cref="BandLow"/>, the guardrail's threshold). A text the fast model is sure about (below the band, or at or
/// above the threshold) is never embedded, so it costs nothing more.
/// </summary>
/// <remarks>
/// <para>
/// The head (a logistic regression over the 384 embedding dimensions, shipped in the assembly) is trained by
/// <c>tools/LlmOps.Guardrails.Training</c> on the author sets and the train splits of the public human-written sets;
/// the band and <see cref="Threshold"/> were chosen by cross-validation within those train splits under a benign
/// false-positive constraint. Figures: <c>benchmarks/results/GuardrailsQuality.md</c> and
/// <c>benchmarks/results/InjectionSecondStage.md</c>.
/// </para>
/// <para>
/// The head reads the embedding of at most <see cref="MaxCharacters"/> characters: a longer text is read as its first and
/// last halves of that size (where persona set-ups and appended override clauses sit). One embedding call per text.
/// </para>
/// <para>
/// It fails open: when the embedding fails (or returns a vector of the wrong size), the failure is logged (EventId 1112)
/// and the fast model's verdict stands. Cancellation of the request is not a failure and propagates. Thread-safe.
/// </para>
/// </remarks>
public sealed class InjectionSecondStage
{
    /// <summary>The embedding model the shipped head reads: <c>all-MiniLM-L6-v2</c>.</summary>
    public const string EmbeddingModelId = "all-MiniLM-L6-v2";

    /// <summary>The most characters of a text that are embedded (see the remarks).</summary>
    public const int MaxCharacters = 1024;

    private readonly IEmbeddingGenerator<string, Embedding<float>> generator;
    private readonly InjectionHead head;
    private readonly ILogger logger;

    /// <summary>Initializes a new instance of the <see cref="InjectionSecondStage"/> class with the shipped head.</summary>
    /// <param name="generator">The embedding generator; it must produce all-MiniLM-L6-v2 embeddings (see <see cref="Supports"/>).</param>
    /// <param name="logger">Where embedding failures are logged (EventId 1112); none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> is <see langword="null"/>.</exception>
    public InjectionSecondStage(IEmbeddingGenerator<string, Embedding<float>> generator, ILogger? logger = null)
        : this(generator, InjectionHead.Default, logger)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InjectionSecondStage"/> class with a given head.</summary>
    internal InjectionSecondStage(IEmbeddingGenerator<string, Embedding<float>> generator, InjectionHead head, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(head);
        this.generator = generator;
        this.head = head;
        this.logger = logger ?? NullLogger.Instance;
        BandLow = head.BandLow;
        Threshold = head.Threshold;
    }

    /// <summary>
    /// Gets or sets the lowest fast score (on the guardrail's scale, where its threshold is the boundary) for which the
    /// head is consulted. Lower values send more texts to the head: more recall, more embedding calls.
    /// </summary>
    /// <value>The default value is the one chosen by cross-validation and stored with the shipped head.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [0, 1].</exception>
    public double BandLow
    {
        get;
        set
        {
            if (!(value is >= 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "InjectionSecondStage.BandLow must be in [0, 1].");
            }

            field = value;
        }
    }

    /// <summary>Gets or sets the head probability at or above which a text in the band is an injection.</summary>
    /// <value>The default value is the one chosen by cross-validation and stored with the shipped head.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in (0, 1].</exception>
    public double Threshold
    {
        get;
        set
        {
            if (!(value is > 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "InjectionSecondStage.Threshold must be in (0, 1].");
            }

            field = value;
        }
    }

    /// <summary>
    /// Gets a value indicating whether a generator produces the embeddings the shipped head reads: its
    /// <see cref="EmbeddingGeneratorMetadata"/> names <see cref="EmbeddingModelId"/> (as <c>AddMiniLmEmbeddingGenerator()</c>'s does).
    /// </summary>
    /// <param name="generator">The generator.</param>
    /// <returns>Whether the head can read its embeddings.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> is <see langword="null"/>.</exception>
    public static bool Supports(IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var metadata = generator.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata;
        return metadata is not null
            && string.Equals(metadata.DefaultModelId, InjectionHead.Default.ModelId, StringComparison.OrdinalIgnoreCase)
            && (metadata.DefaultModelDimensions is null || metadata.DefaultModelDimensions == InjectionHead.Default.Dimensions);
    }

    /// <summary>Gets a value indicating whether a fast score is in the uncertain band below a threshold.</summary>
    /// <param name="fastScore">The fast model's score.</param>
    /// <param name="threshold">The guardrail's threshold.</param>
    /// <returns>Whether the head is consulted.</returns>
    public bool IsInBand(double fastScore, double threshold) => fastScore >= BandLow && fastScore < threshold;

    /// <summary>Scores a text with the head.</summary>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The head's probability that the text is an injection, or <see langword="null"/> when the embedding failed
    /// (logged; the caller keeps the fast verdict).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<double?> ScoreAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            var embeddings = await generator.GenerateAsync([Excerpt(text)], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != 1)
            {
                throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for one text.");
            }

            return head.Score(embeddings[0].Vector.Span);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            GuardrailsLog.SecondStageFailed(logger, text.Length, ex);
            return null;
        }
    }

    /// <summary>The part of a text the head reads: the text itself, or its first and last <see cref="MaxCharacters"/>/2 characters.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The excerpt.</returns>
    internal static string Excerpt(string text)
    {
        if (text.Length <= MaxCharacters)
        {
            return text;
        }

        const int Half = MaxCharacters / 2;
        var first = Half;
        if (char.IsHighSurrogate(text[first - 1]))
        {
            first--;
        }

        var last = text.Length - Half;
        if (char.IsLowSurrogate(text[last]))
        {
            last++;
        }

        return string.Concat(text.AsSpan(0, first), "\n…\n", text.AsSpan(last));
    }
}
