using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;

namespace LlmOps.Caching;

/// <summary>
/// The pair check of the semantic tier (<see cref="SemanticCacheGuards.PairCheck"/>): a logistic-regression model over
/// <see cref="CachePairFeatures"/> that decides whether a cached question and a new one above the similarity threshold
/// want the same answer.
/// </summary>
/// <remarks>
/// <para>
/// The shipped weights (<c>CachePairModel.bin</c>, embedded in the assembly) are trained by
/// <c>tools/LlmOps.Caching.Training</c> from the pairs committed under <c>data/cache-pairs/authors/</c>; the tool is
/// deterministic (full-batch gradient descent from zero, fixed epochs), and a test retrains and compares.
/// </para>
/// <para>
/// File format (little-endian): the 8 ASCII bytes <c>LLMOPSCP</c>, format version (int32), feature count (int32), the
/// cutoff on the logit (float32), the weights (float32 each, the bias first), then the XxHash64 of everything before it.
/// </para>
/// <para>Thread-safe: the weights are read-only and the features live on the stack.</para>
/// </remarks>
internal sealed class CachePairModel
{
    /// <summary>The name of the embedded resource that holds the shipped weights.</summary>
    public const string ResourceName = "LlmOps.Caching.CachePairModel.bin";

    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "LLMOPSCP"u8.ToArray();
    private static readonly Lazy<CachePairModel> Shipped = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly float[] _weights;

    /// <summary>Initializes a new instance of the <see cref="CachePairModel"/> class.</summary>
    /// <param name="weights">The <see cref="CachePairFeatures.Count"/> weights, the bias first (copied).</param>
    /// <param name="cutoff">The logit at or above which a pair passes.</param>
    /// <exception cref="ArgumentException">The weights are the wrong number or not finite.</exception>
    public CachePairModel(ReadOnlySpan<float> weights, float cutoff)
    {
        if (weights.Length != CachePairFeatures.Count)
        {
            throw new ArgumentException($"A cache pair model needs {CachePairFeatures.Count} weights, not {weights.Length}; retrain it with tools/LlmOps.Caching.Training.", nameof(weights));
        }

        foreach (var w in weights)
        {
            if (!float.IsFinite(w))
            {
                throw new ArgumentException("A cache pair model's weights must be finite numbers.", nameof(weights));
            }
        }

        _weights = weights.ToArray();
        Cutoff = float.IsFinite(cutoff) ? cutoff : throw new ArgumentException("The cutoff must be a finite number.", nameof(cutoff));
    }

    /// <summary>Gets the model shipped in the assembly.</summary>
    public static CachePairModel Default => Shipped.Value;

    /// <summary>Gets the logit at or above which a pair passes.</summary>
    public float Cutoff { get; }

    /// <summary>Gets the weights, the bias first.</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>Scores a pair: the logit of "same answer".</summary>
    /// <param name="incoming">The new question's fingerprint.</param>
    /// <param name="cached">The cached question's fingerprint.</param>
    /// <param name="similarity">The cosine similarity of their embeddings.</param>
    /// <returns>The logit; the pair passes when it is at least <see cref="Cutoff"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float Score(SemanticCacheFingerprint incoming, SemanticCacheFingerprint cached, float similarity)
    {
        Span<float> features = stackalloc float[CachePairFeatures.Count];
        CachePairFeatures.Compute(incoming, cached, similarity, features);
        return Score(features);
    }

    /// <summary>Scores computed features: the logit of "same answer".</summary>
    /// <param name="features">The <see cref="CachePairFeatures.Count"/> features.</param>
    /// <returns>The logit.</returns>
    public float Score(ReadOnlySpan<float> features)
    {
        var sum = 0f;
        for (var i = 0; i < _weights.Length; i++)
        {
            sum += _weights[i] * features[i];
        }

        return sum;
    }

    /// <summary>
    /// Whether the pair passes: same answer. Two questions whose words align one to one, in the same order or with one
    /// phrase moved (they differ only in function words, case, punctuation, contractions, spelling variants, typos,
    /// abbreviations, acronyms or where a phrase stands) pass without the model (<see cref="SameWords"/>); every other pair passes when the model's logit reaches
    /// <see cref="Cutoff"/>. A fingerprint without a word sequence (stored before the pair check existed) always fails.
    /// </summary>
    /// <param name="incoming">The new question's fingerprint.</param>
    /// <param name="cached">The cached question's fingerprint.</param>
    /// <param name="similarity">The cosine similarity of their embeddings.</param>
    /// <returns><see langword="true"/> to serve the cached answer.</returns>
    public bool Passes(SemanticCacheFingerprint incoming, SemanticCacheFingerprint cached, float similarity)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(cached);
        if (incoming.Sequence.Count == 0 || cached.Sequence.Count == 0)
        {
            return false;
        }

        Span<float> features = stackalloc float[CachePairFeatures.Count];
        CachePairFeatures.Compute(incoming, cached, similarity, features);
        return SameWords(features) || Score(features) >= Cutoff;
    }

    /// <summary>
    /// Whether every non-function word of each question aligns with one of the other (the same stem or a spelling
    /// variant) and the order is kept or changed only by moving one phrase to the front or the back ("In Excel, how do I
    /// merge cells?"): no role swap, crossing, pivot swap, names in the opposite order, nor two neighbouring words
    /// swapped. On the authored training pairs this rule serves 116 paraphrases and 4 near misses.
    /// </summary>
    /// <param name="features">The pair's features.</param>
    /// <returns><see langword="true"/> when the rule accepts the pair.</returns>
    public static bool SameWords(ReadOnlySpan<float> features)
        => features[CachePairFeatures.NothingDiffers] == 1f
            && features[CachePairFeatures.Inversions] == 0f
            && features[CachePairFeatures.AdjacentSwap] == 0f
            && features[CachePairFeatures.CrossSwap] == 0f
            && features[CachePairFeatures.PivotObjectSwap] == 0f
            && features[CachePairFeatures.PivotSubjectSwap] == 0f
            && features[CachePairFeatures.NameOrderSwap] == 0f;

    /// <summary>Writes the model in the shipped file format.</summary>
    /// <param name="destination">Where to write.</param>
    public void Save(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var length = Magic.Length + 12 + (4 * _weights.Length);
        var buffer = new byte[length + 8];
        Magic.CopyTo(buffer, 0);
        var offset = Magic.Length;
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(offset), FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(offset + 4), _weights.Length);
        BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(offset + 8), Cutoff);
        offset += 12;
        foreach (var w in _weights)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(offset), w);
            offset += 4;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(length), XxHash64.HashToUInt64(buffer.AsSpan(0, length)));
        destination.Write(buffer);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <param name="source">Where to read.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">The data is not a cache pair model of this version, or is damaged.</exception>
    public static CachePairModel Load(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var memory = new MemoryStream();
        source.CopyTo(memory);
        var data = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        const string Retrain = "Retrain it with tools/LlmOps.Caching.Training.";
        if (data.Length < Magic.Length + 20 || !data[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("This is not a cache pair model (the LLMOPSCP header is missing). " + Retrain);
        }

        var body = data[..^8];
        if (XxHash64.HashToUInt64(body) != BinaryPrimitives.ReadUInt64LittleEndian(data[^8..]))
        {
            throw new InvalidDataException("The cache pair model is damaged (its checksum does not match). " + Retrain);
        }

        var offset = Magic.Length;
        var version = BinaryPrimitives.ReadInt32LittleEndian(data[offset..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(data[(offset + 4)..]);
        if (version != FormatVersion || count != CachePairFeatures.Count || body.Length != offset + 12 + (4 * count))
        {
            throw new InvalidDataException($"The cache pair model has format {version} with {count} features; this library reads format {FormatVersion} with {CachePairFeatures.Count}. " + Retrain);
        }

        var cutoff = BinaryPrimitives.ReadSingleLittleEndian(data[(offset + 8)..]);
        offset += 12;
        var weights = new float[count];
        for (var i = 0; i < count; i++)
        {
            weights[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(offset + (4 * i))..]);
        }

        return new CachePairModel(weights, cutoff);
    }

    private static CachePairModel LoadShipped()
    {
        using var stream = typeof(CachePairModel).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the LlmOps assembly.");
        return Load(stream);
    }
}
