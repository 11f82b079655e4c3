using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics.Tensors;
using System.Text;

namespace LlmOps.Guardrails.Injection;

/// <summary>
/// The weights of <see cref="InjectionSecondStage"/>: a logistic-regression head over the sentence embedding of a text
/// (all-MiniLM-L6-v2, 384 dimensions, L2-normalised), with the uncertain band and the head's threshold chosen by
/// cross-validation within the public sets' train splits.
/// </summary>
/// <remarks>
/// <para>
/// The shipped head (<c>InjectionHead.bin</c>, embedded in the assembly) is trained by
/// <c>tools/LlmOps.Guardrails.Training</c> (<c>train-head</c>) from the author sets and the public train splits; the tool
/// is deterministic and a quality test retrains and compares.
/// </para>
/// <para>
/// File format (little-endian): the 8 ASCII bytes <c>LLMOPSIH</c>, format version (int32), the embedding model id
/// (int32 byte length, UTF-8 bytes), dimensions (int32), band low (float64), head threshold (float64), bias (float32),
/// the weights (float32 each), then the XxHash64 of everything before it.
/// </para>
/// <para>Scoring is thread-safe (the weights are read-only).</para>
/// </remarks>
internal sealed class InjectionHead
{
    /// <summary>The name of the embedded resource that holds the shipped head.</summary>
    public const string ResourceName = "LlmOps.Guardrails.Injection.InjectionHead.bin";

    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "LLMOPSIH"u8.ToArray();
    private static readonly Lazy<InjectionHead> Shipped = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly float[] weights;

    /// <summary>Initializes a new instance of the <see cref="InjectionHead"/> class.</summary>
    /// <param name="modelId">The embedding model the head reads.</param>
    /// <param name="weights">One weight per embedding dimension (copied).</param>
    /// <param name="bias">The bias.</param>
    /// <param name="bandLow">The lowest fast score the head is consulted for.</param>
    /// <param name="threshold">The head probability at or above which a text in the band is an injection.</param>
    public InjectionHead(string modelId, float[] weights, float bias, double bandLow, double threshold)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length == 0)
        {
            throw new ArgumentException("An injection head needs at least one weight.", nameof(weights));
        }

        ModelId = modelId;
        this.weights = (float[])weights.Clone();
        Bias = bias;
        BandLow = bandLow;
        Threshold = threshold;
    }

    /// <summary>Gets the head shipped in the assembly.</summary>
    public static InjectionHead Default => Shipped.Value;

    /// <summary>Gets the embedding model id the head was trained on.</summary>
    public string ModelId { get; }

    /// <summary>Gets the number of embedding dimensions.</summary>
    public int Dimensions => weights.Length;

    /// <summary>Gets the weights.</summary>
    public ReadOnlySpan<float> Weights => weights;

    /// <summary>Gets the bias.</summary>
    public float Bias { get; }

    /// <summary>Gets the lowest fast score (on the guardrail's scale, boundary 0.5) for which the head is consulted.</summary>
    public double BandLow { get; }

    /// <summary>Gets the head probability at or above which a text in the band is an injection.</summary>
    public double Threshold { get; }

    /// <summary>Scores an embedding.</summary>
    /// <param name="embedding">The embedding (<see cref="Dimensions"/> values).</param>
    /// <returns>The probability that the text is an injection.</returns>
    /// <exception cref="ArgumentException">The embedding has another number of dimensions.</exception>
    public double Score(ReadOnlySpan<float> embedding)
    {
        if (embedding.Length != weights.Length)
        {
            throw new ArgumentException($"The injection head reads {weights.Length}-dimensional {ModelId} embeddings; this one has {embedding.Length} dimensions.", nameof(embedding));
        }

        var z = (double)TensorPrimitives.Dot(embedding, weights) + Bias;
        return 1 / (1 + Math.Exp(-z));
    }

    /// <summary>Writes the head.</summary>
    /// <param name="destination">The stream.</param>
    public void Save(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var id = Encoding.UTF8.GetBytes(ModelId);
        var body = new byte[Magic.Length + 4 + 4 + id.Length + 4 + 8 + 8 + 4 + (weights.Length * 4)];
        Magic.CopyTo(body, 0);
        var span = body.AsSpan(Magic.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span, FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], id.Length);
        id.CopyTo(span[8..]);
        span = span[(8 + id.Length)..];
        BinaryPrimitives.WriteInt32LittleEndian(span, weights.Length);
        BinaryPrimitives.WriteDoubleLittleEndian(span[4..], BandLow);
        BinaryPrimitives.WriteDoubleLittleEndian(span[12..], Threshold);
        BinaryPrimitives.WriteSingleLittleEndian(span[20..], Bias);
        for (var i = 0; i < weights.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(span[(24 + (i * 4))..], weights[i]);
        }

        destination.Write(body);
        Span<byte> checksum = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(checksum, XxHash64.HashToUInt64(body));
        destination.Write(checksum);
    }

    /// <summary>Reads a head written by <see cref="Save"/>.</summary>
    /// <param name="source">The stream.</param>
    /// <returns>The head.</returns>
    /// <exception cref="InvalidDataException">The data is not a head of this format, or is truncated or corrupted.</exception>
    public static InjectionHead Load(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var buffer = new MemoryStream();
        source.CopyTo(buffer);
        var data = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        if (data.Length < Magic.Length + 16 || !data[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not an LlmOps injection head: the header is missing. Retrain it with tools/LlmOps.Guardrails.Training (train-head).");
        }

        if (XxHash64.HashToUInt64(data[..^8]) != BinaryPrimitives.ReadUInt64LittleEndian(data[^8..]))
        {
            throw new InvalidDataException("The injection head's checksum does not match: the file is truncated or corrupted.");
        }

        var span = data[Magic.Length..^8];
        var format = BinaryPrimitives.ReadInt32LittleEndian(span);
        if (format != FormatVersion)
        {
            throw new InvalidDataException($"The injection head has format {format}; this build reads format {FormatVersion}. Retrain it with tools/LlmOps.Guardrails.Training (train-head).");
        }

        var idLength = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        if (idLength <= 0 || idLength > span.Length - 8)
        {
            throw new InvalidDataException("The injection head's model id is damaged.");
        }

        var modelId = Encoding.UTF8.GetString(span.Slice(8, idLength));
        span = span[(8 + idLength)..];
        var dimensions = BinaryPrimitives.ReadInt32LittleEndian(span);
        if (dimensions <= 0 || span.Length != 24 + ((long)dimensions * 4))
        {
            throw new InvalidDataException($"The injection head declares {dimensions} dimensions but holds {span.Length} bytes of parameters.");
        }

        var weights = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            weights[i] = BinaryPrimitives.ReadSingleLittleEndian(span[(24 + (i * 4))..]);
        }

        return new InjectionHead(
            modelId, weights, BinaryPrimitives.ReadSingleLittleEndian(span[20..]),
            BinaryPrimitives.ReadDoubleLittleEndian(span[4..]), BinaryPrimitives.ReadDoubleLittleEndian(span[12..]));
    }

    private static InjectionHead LoadShipped()
    {
        using var stream = EmbeddedResources.Open(ResourceName);
        return Load(stream);
    }
}
