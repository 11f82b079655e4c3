using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmOps.Caching;

/// <summary>
/// The pair check of the semantic tier (<see cref="SemanticCacheGuards.PairCheck"/>): an ensemble of small regression
/// trees (gradient boosting on the logistic loss) over <see cref="CachePairFeatures"/> that decides whether a cached
/// question and a new one above the similarity threshold want the same answer. The lexical guards' verdicts are among
/// its inputs: with the pair check on, only the guards in <see cref="HardGuards"/> (those that never rejected a
/// paraphrase in the training data) still reject on their own; the model weighs the others.
/// </summary>
/// <remarks>
/// <para>
/// The shipped model (<c>CachePairModel.bin</c>, embedded in the assembly) is trained by
/// <c>tools/LlmOps.Caching.Training</c> from the pairs committed under <c>data/cache-pairs/authors/</c>; the tool is
/// deterministic (exact greedy splits, ties to the lowest feature and threshold, no sampling), and a test retrains and
/// compares.
/// </para>
/// <para>
/// File format (little-endian): the 8 ASCII bytes <c>LLMOPSCP</c>, format version (int32, 2), feature count (int32),
/// tree count (int32), tree depth (int32), the hard guards (int32, <see cref="SemanticCacheGuards"/> flags), the cutoff on
/// the score (float32), the base score (float32); then per tree its 2^depth − 1 split nodes in breadth-first order (the
/// feature index as int32, then the threshold as float32: a pair goes right when its feature is above the threshold) and
/// its 2^depth leaf values (float32); then the XxHash64 of everything before it.
/// </para>
/// <para>Thread-safe: the trees are read-only and the features live on the stack.</para>
/// </remarks>
internal sealed class CachePairModel
{
    /// <summary>The name of the embedded resource that holds the shipped model.</summary>
    public const string ResourceName = "LlmOps.Caching.CachePairModel.bin";

    /// <summary>The deepest tree a model may have.</summary>
    public const int MaxDepth = 8;

    /// <summary>The lexical guards (every guard the fingerprint compares).</summary>
    public const SemanticCacheGuards LexicalGuards = SemanticCacheGuards.Polarity | SemanticCacheGuards.Numbers | SemanticCacheGuards.QuotedStrings | SemanticCacheGuards.Entities;

    /// <summary>
    /// The lowest embedding similarity at which a candidate below the similarity threshold is still served when the two
    /// questions have the same words (<see cref="SameWordsBelowThreshold(SemanticCacheFingerprint, SemanticCacheFingerprint, float)"/>): typed with typos ("whats the captial of
    /// Autralia"), a question scores as low as 0.35 against its correct spelling with all-MiniLM-L6-v2.
    /// </summary>
    public const float SameWordsFloor = 0.3f;

    /// <summary>The fewest shared non-function words for <see cref="SameWordsBelowThreshold(SemanticCacheFingerprint, SemanticCacheFingerprint, float)"/>.</summary>
    public const int SameWordsMinShared = 2;

    private const int FormatVersion = 2;
    private const int HeaderLength = 8 + 28;
    private const string Retrain = "Retrain it with tools/LlmOps.Caching.Training.";
    private static readonly byte[] Magic = "LLMOPSCP"u8.ToArray();
    private static readonly Lazy<CachePairModel> Shipped = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly int[] _splitFeatures;
    private readonly float[] _thresholds;
    private readonly float[] _leaves;
    private readonly int _splitsPerTree;
    private readonly int _leavesPerTree;

    /// <summary>Initializes a new instance of the <see cref="CachePairModel"/> class.</summary>
    /// <param name="depth">The depth of every tree, 1 to <see cref="MaxDepth"/>.</param>
    /// <param name="splitFeatures">Per tree, its 2^depth − 1 split nodes' feature indexes, breadth first (copied).</param>
    /// <param name="thresholds">The split nodes' thresholds, in the same order (copied).</param>
    /// <param name="leaves">Per tree, its 2^depth leaf values (copied).</param>
    /// <param name="baseScore">The score before the first tree.</param>
    /// <param name="cutoff">The score at or above which a pair passes.</param>
    /// <param name="hardGuards">The lexical guards that still reject on their own when the pair check is on.</param>
    /// <exception cref="ArgumentException">The arrays do not describe whole trees, a feature index is out of range, or a value is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="depth"/> is out of range.</exception>
    public CachePairModel(int depth, ReadOnlySpan<int> splitFeatures, ReadOnlySpan<float> thresholds, ReadOnlySpan<float> leaves, float baseScore, float cutoff, SemanticCacheGuards hardGuards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(depth, MaxDepth);
        _leavesPerTree = 1 << depth;
        _splitsPerTree = _leavesPerTree - 1;
        var trees = splitFeatures.Length / _splitsPerTree;
        if (splitFeatures.Length % _splitsPerTree != 0 || thresholds.Length != splitFeatures.Length || leaves.Length != trees * _leavesPerTree)
        {
            throw new ArgumentException($"Trees of depth {depth} need {_splitsPerTree} split nodes and {_leavesPerTree} leaves each; got {splitFeatures.Length} features, {thresholds.Length} thresholds and {leaves.Length} leaves. " + Retrain, nameof(splitFeatures));
        }

        foreach (var f in splitFeatures)
        {
            if ((uint)f >= CachePairFeatures.Count)
            {
                throw new ArgumentException($"A split reads feature {f}; this library computes {CachePairFeatures.Count} features. " + Retrain, nameof(splitFeatures));
            }
        }

        if (!AllFinite(thresholds) || !AllFinite(leaves) || !float.IsFinite(baseScore) || !float.IsFinite(cutoff))
        {
            throw new ArgumentException("A cache pair model's thresholds, leaves, base score and cutoff must be finite numbers. " + Retrain, nameof(thresholds));
        }

        if ((hardGuards & ~LexicalGuards) != 0)
        {
            throw new ArgumentException($"Only lexical guards can be hard; got {hardGuards}.", nameof(hardGuards));
        }

        Depth = depth;
        TreeCount = trees;
        _splitFeatures = splitFeatures.ToArray();
        _thresholds = thresholds.ToArray();
        _leaves = leaves.ToArray();
        BaseScore = baseScore;
        Cutoff = cutoff;
        HardGuards = hardGuards;
    }

    /// <summary>Gets the model shipped in the assembly.</summary>
    public static CachePairModel Default => Shipped.Value;

    /// <summary>Gets the depth of every tree.</summary>
    public int Depth { get; }

    /// <summary>Gets the number of trees.</summary>
    public int TreeCount { get; }

    /// <summary>Gets the score before the first tree.</summary>
    public float BaseScore { get; }

    /// <summary>Gets the score at or above which a pair passes.</summary>
    public float Cutoff { get; }

    /// <summary>
    /// Gets the lexical guards that still reject on their own when the pair check is on (the trainer keeps a guard hard
    /// only when it rejected no paraphrase of the training data); the model weighs the verdicts of the others.
    /// </summary>
    public SemanticCacheGuards HardGuards { get; }

    /// <summary>Gets the split nodes' feature indexes, tree by tree, breadth first.</summary>
    public ReadOnlySpan<int> SplitFeatures => _splitFeatures;

    /// <summary>Gets the split nodes' thresholds, in the order of <see cref="SplitFeatures"/>.</summary>
    public ReadOnlySpan<float> Thresholds => _thresholds;

    /// <summary>Gets the leaf values, tree by tree.</summary>
    public ReadOnlySpan<float> Leaves => _leaves;

    /// <summary>Scores a pair: the log-odds of "same answer".</summary>
    /// <param name="incoming">The new question's fingerprint.</param>
    /// <param name="cached">The cached question's fingerprint.</param>
    /// <param name="similarity">The cosine similarity of their embeddings.</param>
    /// <returns>The score; the pair passes when it is at least <see cref="Cutoff"/>.</returns>
    public float Score(SemanticCacheFingerprint incoming, SemanticCacheFingerprint cached, float similarity)
    {
        Span<float> features = stackalloc float[CachePairFeatures.Count];
        CachePairFeatures.Compute(incoming, cached, similarity, features);
        return Score(features);
    }

    /// <summary>Scores computed features: the log-odds of "same answer".</summary>
    /// <param name="features">The <see cref="CachePairFeatures.Count"/> features.</param>
    /// <returns>The score.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public float Score(ReadOnlySpan<float> features)
    {
        if (features.Length != CachePairFeatures.Count)
        {
            throw new ArgumentException($"The pair model needs {CachePairFeatures.Count} features, not {features.Length}.", nameof(features));
        }

        // Four trees at a time: their walks are independent chains of loads and compares that the core overlaps. The
        // leaves are still added tree by tree, so the sum is the same float as walking one tree after another. Feature
        // indexes were checked against the feature count when the model was built, and the span's length above.
        ref var feature = ref MemoryMarshal.GetReference(features);
        ref var split = ref MemoryMarshal.GetArrayDataReference(_splitFeatures);
        ref var threshold = ref MemoryMarshal.GetArrayDataReference(_thresholds);
        ref var leaf = ref MemoryMarshal.GetArrayDataReference(_leaves);
        var splits = _splitsPerTree;
        var sum = BaseScore;
        var t = 0;
        for (; t + 4 <= TreeCount; t += 4)
        {
            var o0 = t * splits;
            var o1 = o0 + splits;
            var o2 = o1 + splits;
            var o3 = o2 + splits;
            int n0 = 0, n1 = 0, n2 = 0, n3 = 0;
            for (var level = 0; level < Depth; level++)
            {
                n0 = (2 * n0) + (Unsafe.Add(ref feature, Unsafe.Add(ref split, o0 + n0)) > Unsafe.Add(ref threshold, o0 + n0) ? 2 : 1);
                n1 = (2 * n1) + (Unsafe.Add(ref feature, Unsafe.Add(ref split, o1 + n1)) > Unsafe.Add(ref threshold, o1 + n1) ? 2 : 1);
                n2 = (2 * n2) + (Unsafe.Add(ref feature, Unsafe.Add(ref split, o2 + n2)) > Unsafe.Add(ref threshold, o2 + n2) ? 2 : 1);
                n3 = (2 * n3) + (Unsafe.Add(ref feature, Unsafe.Add(ref split, o3 + n3)) > Unsafe.Add(ref threshold, o3 + n3) ? 2 : 1);
            }

            var l0 = (t * _leavesPerTree) - splits;
            sum += Unsafe.Add(ref leaf, l0 + n0);
            sum += Unsafe.Add(ref leaf, l0 + _leavesPerTree + n1);
            sum += Unsafe.Add(ref leaf, l0 + (2 * _leavesPerTree) + n2);
            sum += Unsafe.Add(ref leaf, l0 + (3 * _leavesPerTree) + n3);
        }

        for (; t < TreeCount; t++)
        {
            var offset = t * splits;
            var node = 0;
            while (node < splits)
            {
                node = (2 * node) + (Unsafe.Add(ref feature, Unsafe.Add(ref split, offset + node)) > Unsafe.Add(ref threshold, offset + node) ? 2 : 1);
            }

            sum += Unsafe.Add(ref leaf, (t * _leavesPerTree) + node - splits);
        }

        return sum;
    }

    /// <summary>
    /// Whether the pair passes the pair check alone (the hard lexical guards are the caller's): two questions whose words
    /// align one to one, in the same order or with one phrase moved, pass without
    /// the model (<see cref="SameWords"/>); every other pair passes when the model's score reaches <see cref="Cutoff"/>.
    /// A fingerprint without a word sequence (stored before the pair check existed) always fails.
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
    /// Checks a candidate with the enabled guards: without <see cref="SemanticCacheGuards.PairCheck"/>, the enabled lexical
    /// guards reject on their own; with it, only the enabled ones among <see cref="HardGuards"/> do, and the pair check
    /// decides the rest with every lexical guard's verdict among its inputs. Two questions with the same words
    /// (<see cref="SameWords"/>) pass before the hard guards.
    /// </summary>
    /// <param name="incoming">The new question's fingerprint.</param>
    /// <param name="cached">The cached question's fingerprint.</param>
    /// <param name="similarity">The cosine similarity of their embeddings.</param>
    /// <param name="enabled">The enabled guards (<see cref="SemanticCacheOptions.Guards"/>).</param>
    /// <returns>
    /// <see cref="SemanticCacheGuards.None"/> to serve; otherwise the guard that rejected. When the pair check rejects a
    /// pair that an enabled lexical guard also objects to, that guard is named (it says why); otherwise
    /// <see cref="SemanticCacheGuards.PairCheck"/>.
    /// </returns>
    public SemanticCacheGuards Check(SemanticCacheFingerprint incoming, SemanticCacheFingerprint cached, float similarity, SemanticCacheGuards enabled)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(cached);
        var lexical = enabled & LexicalGuards;
        if ((enabled & SemanticCacheGuards.PairCheck) == 0)
        {
            return incoming.Compare(cached, lexical);
        }

        if (incoming.Sequence.Count == 0 || cached.Sequence.Count == 0)
        {
            // Stored before the pair check existed: the lexical guards speak, the pair check cannot pass it.
            var lexicalVerdict = incoming.Compare(cached, lexical);
            return lexicalVerdict != SemanticCacheGuards.None ? lexicalVerdict : SemanticCacheGuards.PairCheck;
        }

        Span<float> features = stackalloc float[CachePairFeatures.Count];
        CachePairFeatures.Compute(incoming, cached, similarity, features);
        if (SameWords(features))
        {
            return SemanticCacheGuards.None;
        }

        var hard = incoming.Compare(cached, lexical & HardGuards);
        if (hard != SemanticCacheGuards.None)
        {
            return hard;
        }

        if (Score(features) >= Cutoff)
        {
            return SemanticCacheGuards.None;
        }

        var soft = incoming.Compare(cached, lexical & ~HardGuards);
        return soft != SemanticCacheGuards.None ? soft : SemanticCacheGuards.PairCheck;
    }

    /// <summary>
    /// Whether every non-function word of each question aligns with one of the other (the same stem, a spelling variant
    /// or an acronym), or only question words in one question are left over while the other has none (a command or
    /// keywords for a question: "Tell me the return policy for furniture." / "What's the return policy for furniture?";
    /// 21 more paraphrases and no must-differ pair on the training pairs), and the order is kept or changed only by moving one phrase to the front or the back ("In Excel, how
    /// do I merge cells?"): no role swap, crossing, pivot swap, names in the opposite order, nor two neighbouring words
    /// swapped; the numbers and quoted-strings guards do not object, and no name is aligned as a weak spelling variant
    /// (<see cref="CachePairFeatures.WeakNameVariant"/>). The polarity and entities guards' verdicts are overruled here:
    /// with every word aligned, they object only to what the alignment explains ("cant"/"can't", "PTO"/"paid time off",
    /// "NYC"/"New York City", "Chicgao"/"Chicago"); on the authored training pairs that serves 25 more paraphrases and no
    /// must-differ pair.
    /// </summary>
    /// <param name="features">The pair's features.</param>
    /// <returns><see langword="true"/> when the rule accepts the pair.</returns>
    public static bool SameWords(ReadOnlySpan<float> features)
        => (features[CachePairFeatures.NothingDiffers] == 1f || features[CachePairFeatures.QuestionFrameOnly] == 1f)
            && features[CachePairFeatures.Inversions] == 0f
            && features[CachePairFeatures.AdjacentSwap] == 0f
            && features[CachePairFeatures.CrossSwap] == 0f
            && features[CachePairFeatures.PivotObjectSwap] == 0f
            && features[CachePairFeatures.PivotSubjectSwap] == 0f
            && features[CachePairFeatures.NameOrderSwap] == 0f
            && features[CachePairFeatures.InteriorMove] == 0f
            && features[CachePairFeatures.GuardVerdicts + 1] == 0f
            && features[CachePairFeatures.GuardVerdicts + 2] == 0f
            && features[CachePairFeatures.WeakNameVariant] == 0f;

    /// <summary>
    /// Whether a candidate below the similarity threshold is still served: its similarity is at least
    /// <see cref="SameWordsFloor"/>, the two questions share at least <see cref="SameWordsMinShared"/> non-function words,
    /// and every non-function word is aligned (<see cref="SameWords"/>: every non-function word aligned by stem or spelling variant,
    /// the order kept or one phrase moved, no lexical guard objecting). On the authored training pairs, 20 paraphrases
    /// (mostly typos) and no must-differ pair are below 0.70 with the same words.
    /// </summary>
    /// <param name="incoming">The new question's fingerprint.</param>
    /// <param name="cached">The cached question's fingerprint.</param>
    /// <param name="similarity">The cosine similarity of their embeddings.</param>
    /// <returns><see langword="true"/> to serve the cached answer.</returns>
    public static bool SameWordsBelowThreshold(SemanticCacheFingerprint incoming, SemanticCacheFingerprint cached, float similarity)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(cached);
        if (similarity < SameWordsFloor || incoming.Sequence.Count == 0 || cached.Sequence.Count == 0)
        {
            return false;
        }

        Span<float> features = stackalloc float[CachePairFeatures.Count];
        CachePairFeatures.Compute(incoming, cached, similarity, features);
        return SameWordsBelowThreshold(features, similarity);
    }

    /// <summary>The rule of <see cref="SameWordsBelowThreshold(SemanticCacheFingerprint, SemanticCacheFingerprint, float)"/> on computed features.</summary>
    /// <param name="features">The pair's features.</param>
    /// <param name="similarity">The cosine similarity of the two questions' embeddings.</param>
    /// <returns><see langword="true"/> when the rule serves the pair.</returns>
    public static bool SameWordsBelowThreshold(ReadOnlySpan<float> features, float similarity)
        => similarity >= SameWordsFloor && features[CachePairFeatures.SharedWords] >= SameWordsMinShared
            && features[CachePairFeatures.NothingDiffers] == 1f && features[CachePairFeatures.WordNetSynonyms] == 0f && SameWords(features);

    /// <summary>Writes the model in the shipped file format.</summary>
    /// <param name="destination">Where to write.</param>
    public void Save(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var length = HeaderLength + (8 * _splitFeatures.Length) + (4 * _leaves.Length);
        var buffer = new byte[length + 8];
        var span = buffer.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], CachePairFeatures.Count);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], TreeCount);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], Depth);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], (int)HardGuards);
        BinaryPrimitives.WriteSingleLittleEndian(span[28..], Cutoff);
        BinaryPrimitives.WriteSingleLittleEndian(span[32..], BaseScore);
        var offset = HeaderLength;
        for (var i = 0; i < _splitFeatures.Length; i++, offset += 8)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[offset..], _splitFeatures[i]);
            BinaryPrimitives.WriteSingleLittleEndian(span[(offset + 4)..], _thresholds[i]);
        }

        foreach (var leaf in _leaves)
        {
            BinaryPrimitives.WriteSingleLittleEndian(span[offset..], leaf);
            offset += 4;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(span[length..], XxHash64.HashToUInt64(span[..length]));
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
        if (data.Length < HeaderLength + 8 || !data[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("This is not a cache pair model (the LLMOPSCP header is missing). " + Retrain);
        }

        var body = data[..^8];
        if (XxHash64.HashToUInt64(body) != BinaryPrimitives.ReadUInt64LittleEndian(data[^8..]))
        {
            throw new InvalidDataException("The cache pair model is damaged (its checksum does not match). " + Retrain);
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(data[8..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(data[12..]);
        var trees = BinaryPrimitives.ReadInt32LittleEndian(data[16..]);
        var depth = BinaryPrimitives.ReadInt32LittleEndian(data[20..]);
        if (version != FormatVersion || count != CachePairFeatures.Count)
        {
            throw new InvalidDataException($"The cache pair model has format {version} with {count} features; this library reads format {FormatVersion} with {CachePairFeatures.Count}. " + Retrain);
        }

        if (depth is < 1 or > MaxDepth || trees < 0 || trees > 100_000
            || body.Length != HeaderLength + ((long)trees * ((8L * ((1 << depth) - 1)) + (4L << depth))))
        {
            throw new InvalidDataException($"The cache pair model's size does not match its {trees} trees of depth {depth}. " + Retrain);
        }

        var hardGuards = (SemanticCacheGuards)BinaryPrimitives.ReadInt32LittleEndian(data[24..]);
        var cutoff = BinaryPrimitives.ReadSingleLittleEndian(data[28..]);
        var baseScore = BinaryPrimitives.ReadSingleLittleEndian(data[32..]);
        var splits = trees * ((1 << depth) - 1);
        var features = new int[splits];
        var thresholds = new float[splits];
        var offset = HeaderLength;
        for (var i = 0; i < splits; i++, offset += 8)
        {
            features[i] = BinaryPrimitives.ReadInt32LittleEndian(data[offset..]);
            thresholds[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(offset + 4)..]);
        }

        var leaves = new float[trees << depth];
        for (var i = 0; i < leaves.Length; i++, offset += 4)
        {
            leaves[i] = BinaryPrimitives.ReadSingleLittleEndian(data[offset..]);
        }

        try
        {
            return new CachePairModel(depth, features, thresholds, leaves, baseScore, cutoff, hardGuards);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException("The cache pair model is not valid: " + ex.Message, ex);
        }
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (var v in values)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    private static CachePairModel LoadShipped()
    {
        using var stream = EmbeddedResources.Open(ResourceName);
        return Load(stream);
    }
}
