using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmOps.Guardrails.Injection;

/// <summary>
/// The trained layer of <see cref="PromptInjectionGuardrail"/>: a logistic-regression model over the hashed features of
/// <see cref="InjectionFeatures"/> (character n-grams, word n-grams and the rule layer's evidence).
/// </summary>
/// <remarks>
/// <para>
/// The shipped weights (<c>InjectionModel.bin</c>, embedded in the assembly) are trained by
/// <c>tools/LlmOps.Guardrails.Training</c> from the labelled sets committed under
/// <c>data/guardrails/</c>; the tool is deterministic, and a test retrains and compares. The bias
/// already carries the operating point chosen by cross-validation, so a score of 0.5 is the decision boundary, matching
/// <see cref="PromptInjectionGuardrail.Threshold"/>.
/// </para>
/// <para>
/// File format (little-endian): the 8 ASCII bytes <c>LLMOPSIM</c>, format version (int32), feature-set version (int32),
/// hash bits (int32), bias (float32), then 2^bits weights as IEEE half floats, then the XxHash64 of everything before it.
/// </para>
/// <para>Scoring is thread-safe (the weights are read-only; feature deduplication uses per-thread scratch space).</para>
/// </remarks>
internal sealed class InjectionModel
{
    /// <summary>The name of the embedded resource that holds the shipped weights.</summary>
    public const string ResourceName = "LlmOps.Guardrails.Injection.InjectionModel.bin";

    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "LLMOPSIM"u8.ToArray();
    private static readonly SearchValues<char> SentenceMarks = SearchValues.Create("\n.!?;/");
    private static readonly Lazy<InjectionModel> Shipped = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly float[] weights;

    /// <summary>Initializes a new instance of the <see cref="InjectionModel"/> class.</summary>
    /// <param name="weights">The <see cref="InjectionFeatures.Dimensions"/> weights (copied, rounded to half precision).</param>
    /// <param name="bias">The bias (intercept).</param>
    public InjectionModel(float[] weights, float bias)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length != InjectionFeatures.Dimensions)
        {
            throw new ArgumentException($"An injection model needs {InjectionFeatures.Dimensions} weights, not {weights.Length}.", nameof(weights));
        }

        // The file stores half floats, so the weights are rounded to half precision here: a model scores the same before
        // it is saved and after it is loaded (cross-validation measures exactly what ships).
        this.weights = new float[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            this.weights[i] = (float)(Half)weights[i];
        }

        Bias = bias;
    }

    /// <summary>Gets the model shipped in the assembly.</summary>
    public static InjectionModel Default => Shipped.Value;

    /// <summary>Gets the bias.</summary>
    public float Bias { get; }

    /// <summary>Gets the weights.</summary>
    public ReadOnlySpan<float> Weights => weights;

    /// <summary>Computes the two views the features are read from.</summary>
    /// <param name="text">The window.</param>
    /// <returns>The folded view and the spaced view with split words rejoined.</returns>
    public static (string Folded, string Spaced) Views(string text)
    {
        var folded = InjectionNormalizer.Folded(text);
        return (folded, InjectionNormalizer.Rejoin(InjectionNormalizer.SpacedFromFolded(folded)));
    }

    /// <summary>Scores a window.</summary>
    /// <param name="text">The window.</param>
    /// <param name="ruleScore">The rule layer's score for the window.</param>
    /// <param name="ruleFamilies">The families the rule layer found in the window.</param>
    /// <returns>The score in [0, 1]; 0.5 is the decision boundary.</returns>
    public double Score(string text, double ruleScore, IReadOnlyList<string> ruleFamilies)
    {
        var (folded, spaced) = Views(text);
        return Score(folded, spaced, ruleScore, ruleFamilies);
    }

    /// <summary>Scores a window from its views (see <see cref="Views"/>).</summary>
    /// <param name="folded">The folded view.</param>
    /// <param name="spaced">The spaced view with split words rejoined.</param>
    /// <param name="ruleScore">The rule layer's score for the window.</param>
    /// <param name="ruleFamilies">The families the rule layer found in the window.</param>
    /// <returns>The score in [0, 1]; 0.5 is the decision boundary.</returns>
    public double Score(string folded, string spaced, double ruleScore, IReadOnlyList<string> ruleFamilies)
        => Sigmoid(Dot(folded, spaced, ruleScore, ruleFamilies));

    /// <summary>
    /// Gets the largest text scored whole. <see cref="PromptInjectionGuardrail"/> reads a longer window in chunks of whole
    /// sentences (<see cref="Chunks"/>), each with the grammar's evidence for that chunk, and scores it as its most
    /// suspicious chunk, so the ordinary content of a long document can never add up to an attack. A chunk's score is
    /// capped by the score of its context (<see cref="Context"/>), so a sentence that looks like an instruction but sits
    /// in a discussion or an ordinary document reads as it does in place. The model is trained on chunks
    /// (multiple-instance learning: an attack document is represented by its most suspicious chunk).
    /// </summary>
    public const int ChunkCharacters = 320;

    /// <summary>
    /// Splits a folded window into chunks of consecutive whole sentences of at most <see cref="ChunkCharacters"/>
    /// characters, each chunk starting with the last sentence of the one before (so an instruction split over two
    /// sentences is read together). A sentence longer than a chunk is cut into overlapping pieces at spaces.
    /// </summary>
    /// <param name="folded">The folded window.</param>
    /// <returns>The chunks as (start, length) ranges of <paramref name="folded"/>.</returns>
    public static List<(int Start, int Length)> Chunks(string folded)
    {
        var sentences = new List<(int Start, int Length)>();
        var begin = 0;
        for (var i = 0; i < folded.Length; i++)
        {
            // Jump to the next sentence mark (vectorised), or to the last character, which ends the last sentence.
            var next = folded.AsSpan(i).IndexOfAny(SentenceMarks);
            i = next < 0 ? folded.Length - 1 : i + next;
            var c = folded[i];
            var end = c == '\n' || ((c is '.' or '!' or '?' or ';' or '/') && (i + 1 == folded.Length || char.IsWhiteSpace(folded[i + 1])));
            if (end || i + 1 == folded.Length)
            {
                AddSentence(folded, begin, i + 1 - begin, sentences);
                begin = i + 1;
            }
        }

        var chunks = new List<(int Start, int Length)>();
        var first = 0;
        while (first < sentences.Count)
        {
            var last = first;
            var length = sentences[first].Length;
            while (last + 1 < sentences.Count && sentences[last + 1].Start + sentences[last + 1].Length - sentences[first].Start <= ChunkCharacters)
            {
                last++;
            }

            length = sentences[last].Start + sentences[last].Length - sentences[first].Start;
            chunks.Add((sentences[first].Start, length));
            if (last + 1 >= sentences.Count)
            {
                break;
            }

            first = last + 1;
        }

        return chunks;
    }

    /// <summary>Gets a chunk's context: the span from the start of the chunk before it to the end of the chunk after it.</summary>
    /// <param name="chunks">The chunks, from <see cref="Chunks"/>.</param>
    /// <param name="index">The chunk.</param>
    /// <returns>The context range.</returns>
    public static (int Start, int Length) Context(List<(int Start, int Length)> chunks, int index)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var start = chunks[Math.Max(0, index - 1)].Start;
        var last = chunks[Math.Min(chunks.Count - 1, index + 1)];
        return (start, last.Start + last.Length - start);
    }

    private static void AddSentence(string folded, int start, int length, List<(int Start, int Length)> sentences)
    {
        // Trim whitespace; skip empty sentences; cut a run-on sentence into overlapping pieces.
        while (length > 0 && char.IsWhiteSpace(folded[start]))
        {
            start++;
            length--;
        }

        while (length > 0 && char.IsWhiteSpace(folded[start + length - 1]))
        {
            length--;
        }

        const int Overlap = 64;
        while (length > ChunkCharacters)
        {
            var cut = folded.LastIndexOf(' ', start + ChunkCharacters - 1, ChunkCharacters - (2 * Overlap));
            var piece = cut > start ? cut - start : ChunkCharacters;
            sentences.Add((start, piece));
            var next = start + piece - Overlap;
            var space = folded.IndexOf(' ', next, Math.Min(Overlap, start + length - next));
            next = space >= 0 ? space + 1 : next;
            length -= next - start;
            start = next;
        }

        if (length > 0)
        {
            sentences.Add((start, length));
        }
    }

    private double Dot(string folded, string spaced, double ruleScore, IReadOnlyList<string> ruleFamilies)
    {
        var buffer = InjectionFeatures.FeatureBuffer.ForThread(1);
        var count = InjectionFeatures.Collect(folded, spaced, Outside(folded, spaced), ruleScore, ruleFamilies, buffer);
        return Sum(buffer, count) + Bias;
    }

    /// <summary>
    /// The weighted sum of a window's features, added in emission order (one float accumulator, as the trainer's
    /// visitor adds them, so the score is the same to the last bit).
    /// </summary>
    private float Sum(InjectionFeatures.FeatureBuffer buffer, int count)
    {
        ref var w = ref MemoryMarshal.GetArrayDataReference(weights);
        ref var index = ref MemoryMarshal.GetArrayDataReference(buffer.Indices);
        ref var value = ref MemoryMarshal.GetArrayDataReference(buffer.Values);
        var sum = 0f;
        for (var i = 0; i < count; i++)
        {
            // Indices are masked below Dimensions == weights.Length.
            sum += Unsafe.Add(ref w, Unsafe.Add(ref index, i)) * Unsafe.Add(ref value, i);
        }

        return sum;
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>Scores a chunk from views already sliced from its window (see <see cref="ChunkReader"/>).</summary>
    /// <param name="views">The chunk's folded, spaced and outside-quotations views.</param>
    /// <param name="ruleScore">The rule layer's score for the chunk.</param>
    /// <param name="ruleFamilies">The families the rule layer found in the chunk.</param>
    /// <returns>The score in [0, 1]; 0.5 is the decision boundary.</returns>
    public double Score(ChunkViews views, double ruleScore, IReadOnlyList<string> ruleFamilies)
    {
        var buffer = InjectionFeatures.FeatureBuffer.ForThread(1);
        var count = InjectionFeatures.Collect(views.Folded, views.Spaced, views.Outside, ruleScore, ruleFamilies, buffer);
        return Sigmoid(Sum(buffer, count) + Bias);
    }

    /// <summary>
    /// Scores a window's chunks (<see cref="ChunkReader.Chunks"/>), four at a time: the same scores as
    /// <see cref="Score(ChunkViews, double, IReadOnlyList{string})"/> chunk by chunk, to the last bit (each chunk's sum is
    /// added in its own order), but the four sums' additions interleave, so they do not wait on one another.
    /// </summary>
    /// <param name="reader">The window's views.</param>
    /// <param name="evidence">The rule layer's score and families for each chunk, in chunk order, or one entry for all chunks.</param>
    /// <param name="scores">Receives the chunks' scores.</param>
    public void ScoreChunks(ChunkReader reader, ReadOnlySpan<(double Score, IReadOnlyList<string> Families)> evidence, Span<double> scores)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var chunks = reader.Chunks;
        if ((evidence.Length != 1 && evidence.Length != chunks.Count) || scores.Length != chunks.Count)
        {
            throw new ArgumentException($"Pass one evidence entry (or one per chunk) and one score slot per chunk ({chunks.Count}); got {evidence.Length} and {scores.Length}.", nameof(evidence));
        }

        Span<int> counts = stackalloc int[4];
        Span<float> sums = stackalloc float[4];
        for (var first = 0; first < chunks.Count; first += 4)
        {
            var lanes = Math.Min(4, chunks.Count - first);
            for (var lane = 0; lane < lanes; lane++)
            {
                var views = reader.Views(chunks[first + lane]);
                var (ruleScore, ruleFamilies) = evidence[evidence.Length == 1 ? 0 : first + lane];
                counts[lane] = InjectionFeatures.Collect(views.Folded, views.Spaced, views.Outside, ruleScore, ruleFamilies, InjectionFeatures.FeatureBuffer.ForThread(1 + lane));
            }

            for (var lane = lanes; lane < 4; lane++)
            {
                counts[lane] = 0;
            }

            Sum4(counts, sums);
            for (var lane = 0; lane < lanes; lane++)
            {
                scores[first + lane] = Sigmoid(sums[lane] + Bias);
            }
        }
    }

    /// <summary>Four sums like <see cref="Sum"/>, over the feature buffers of slots 1 to 4, with their additions interleaved.</summary>
    private void Sum4(ReadOnlySpan<int> counts, Span<float> sums)
    {
        ref var w = ref MemoryMarshal.GetArrayDataReference(weights);
        var b0 = InjectionFeatures.FeatureBuffer.ForThread(1);
        var b1 = InjectionFeatures.FeatureBuffer.ForThread(2);
        var b2 = InjectionFeatures.FeatureBuffer.ForThread(3);
        var b3 = InjectionFeatures.FeatureBuffer.ForThread(4);
        ref var i0 = ref MemoryMarshal.GetArrayDataReference(b0.Indices);
        ref var i1 = ref MemoryMarshal.GetArrayDataReference(b1.Indices);
        ref var i2 = ref MemoryMarshal.GetArrayDataReference(b2.Indices);
        ref var i3 = ref MemoryMarshal.GetArrayDataReference(b3.Indices);
        ref var v0 = ref MemoryMarshal.GetArrayDataReference(b0.Values);
        ref var v1 = ref MemoryMarshal.GetArrayDataReference(b1.Values);
        ref var v2 = ref MemoryMarshal.GetArrayDataReference(b2.Values);
        ref var v3 = ref MemoryMarshal.GetArrayDataReference(b3.Values);
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        var common = Math.Min(Math.Min(counts[0], counts[1]), Math.Min(counts[2], counts[3]));
        for (var i = 0; i < common; i++)
        {
            s0 += Unsafe.Add(ref w, Unsafe.Add(ref i0, i)) * Unsafe.Add(ref v0, i);
            s1 += Unsafe.Add(ref w, Unsafe.Add(ref i1, i)) * Unsafe.Add(ref v1, i);
            s2 += Unsafe.Add(ref w, Unsafe.Add(ref i2, i)) * Unsafe.Add(ref v2, i);
            s3 += Unsafe.Add(ref w, Unsafe.Add(ref i3, i)) * Unsafe.Add(ref v3, i);
        }

        sums[0] = Tail(ref w, ref i0, ref v0, common, counts[0], s0);
        sums[1] = Tail(ref w, ref i1, ref v1, common, counts[1], s1);
        sums[2] = Tail(ref w, ref i2, ref v2, common, counts[2], s2);
        sums[3] = Tail(ref w, ref i3, ref v3, common, counts[3], s3);

        static float Tail(ref float w, ref int index, ref float value, int from, int count, float sum)
        {
            for (var i = from; i < count; i++)
            {
                sum += Unsafe.Add(ref w, Unsafe.Add(ref index, i)) * Unsafe.Add(ref value, i);
            }

            return sum;
        }
    }

    /// <summary>A chunk's views: slices of its window's views, without copying.</summary>
    /// <param name="folded">The folded view.</param>
    /// <param name="spaced">The spaced view.</param>
    /// <param name="outside">The spaced view outside quotations.</param>
    internal readonly ref struct ChunkViews(ReadOnlySpan<char> folded, ReadOnlySpan<char> spaced, ReadOnlySpan<char> outside)
    {
        /// <summary>Gets the folded view.</summary>
        public ReadOnlySpan<char> Folded { get; } = folded;

        /// <summary>Gets the spaced view.</summary>
        public ReadOnlySpan<char> Spaced { get; } = spaced;

        /// <summary>Gets the spaced view outside quotations.</summary>
        public ReadOnlySpan<char> Outside { get; } = outside;
    }

    /// <summary>
    /// Slices the views of a long window's chunks and contexts from views computed once for the whole window (the
    /// spaced view without split-word rejoining, and the spaced view outside quotations), which is what makes reading a
    /// window in chunks affordable. Training and scoring both use it.
    /// </summary>
    internal sealed class ChunkReader
    {
        private readonly string folded;
        private readonly string spaced;
        private readonly int[] map;
        private readonly string outside;
        private readonly int[] outsideMap;

        /// <summary>Initializes a new instance of the <see cref="ChunkReader"/> class.</summary>
        /// <param name="folded">The folded window.</param>
        public ChunkReader(string folded)
            : this(new int[folded.Length + 1], folded, null)
        {
        }

        /// <summary>Initializes a new instance of the <see cref="ChunkReader"/> class from a spaced view already built.</summary>
        /// <param name="folded">The folded window.</param>
        /// <param name="spaced">Its spaced view (<see cref="InjectionNormalizer.SpacedFromFolded(string, int[])"/>, no words rejoined).</param>
        /// <param name="map">The position map written with <paramref name="spaced"/>.</param>
        public ChunkReader(string folded, string spaced, int[] map)
            : this(map, folded, spaced)
        {
        }

        private ChunkReader(int[] map, string folded, string? spaced)
        {
            this.folded = folded;
            this.map = map;
            this.spaced = spaced ?? InjectionNormalizer.SpacedFromFolded(folded, map);
            var blanked = InjectionNormalizer.BlankQuoted(folded);
            if (ReferenceEquals(blanked, folded))
            {
                (outside, outsideMap) = (this.spaced, map);
            }
            else
            {
                outsideMap = new int[folded.Length + 1];
                outside = InjectionNormalizer.SpacedFromFolded(blanked, outsideMap);
            }

            Chunks = InjectionModel.Chunks(folded);
        }

        /// <summary>Gets the chunks.</summary>
        public List<(int Start, int Length)> Chunks { get; }

        /// <summary>Gets the views of a range of the folded window.</summary>
        /// <param name="range">The range.</param>
        /// <returns>The folded, spaced and outside-quotations views of the range.</returns>
        public ChunkViews Views((int Start, int Length) range)
        {
            var end = range.Start + range.Length;
            return new(folded.AsSpan(range.Start, range.Length), Slice(spaced, map, range.Start, end), Slice(outside, outsideMap, range.Start, end));
        }

        private static ReadOnlySpan<char> Slice(string view, int[] positions, int start, int end)
            => view.AsSpan(positions[start], positions[end] - positions[start]).Trim(' ');
    }

    /// <summary>Emits a window's features (the one path shared by training and scoring).</summary>
    /// <typeparam name="TVisitor">The visitor type.</typeparam>
    /// <param name="folded">The folded view.</param>
    /// <param name="spaced">The spaced view with split words rejoined.</param>
    /// <param name="ruleScore">The rule layer's score for the window.</param>
    /// <param name="ruleFamilies">The families the rule layer found in the window.</param>
    /// <param name="visitor">The visitor.</param>
    public static void Extract<TVisitor>(string folded, string spaced, double ruleScore, IReadOnlyList<string> ruleFamilies, ref TVisitor visitor)
        where TVisitor : struct, InjectionFeatures.IVisitor
        => InjectionFeatures.Extract(folded, spaced, Outside(folded, spaced), ruleScore, ruleFamilies, ref visitor);

    /// <summary>Gets the spaced view of a window outside its quotations (<paramref name="spaced"/> itself when it has none).</summary>
    private static string Outside(string folded, string spaced)
    {
        var blanked = InjectionNormalizer.BlankQuoted(folded);
        return ReferenceEquals(blanked, folded) ? spaced : InjectionNormalizer.Rejoin(InjectionNormalizer.SpacedFromFolded(blanked));
    }

    /// <summary>Writes the model.</summary>
    /// <param name="destination">The stream.</param>
    public void Save(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var body = new byte[Magic.Length + 16 + (weights.Length * 2)];
        Magic.CopyTo(body, 0);
        var span = body.AsSpan(Magic.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span, FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], InjectionFeatures.Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], InjectionFeatures.Bits);
        BinaryPrimitives.WriteSingleLittleEndian(span[12..], Bias);
        var payload = span[16..];
        for (var i = 0; i < weights.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(payload[(i * 2)..], (Half)weights[i]);
        }

        destination.Write(body);
        Span<byte> checksum = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(checksum, XxHash64.HashToUInt64(body));
        destination.Write(checksum);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <param name="source">The stream.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">The data is not a model of this feature set, or is truncated or corrupted.</exception>
    public static InjectionModel Load(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var buffer = new MemoryStream();
        source.CopyTo(buffer);
        var data = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var expected = Magic.Length + 16 + (InjectionFeatures.Dimensions * 2) + 8;
        if (data.Length < Magic.Length + 16 || !data[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not an LlmOps injection model: the header is missing. Retrain it with tools/LlmOps.Guardrails.Training.");
        }

        var header = data[Magic.Length..];
        var format = BinaryPrimitives.ReadInt32LittleEndian(header);
        var features = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        var bits = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (format != FormatVersion || features != InjectionFeatures.Version || bits != InjectionFeatures.Bits)
        {
            throw new InvalidDataException(
                $"The injection model was written for format {format}, feature set {features} and {bits} hash bits; this build reads format {FormatVersion}, feature set {InjectionFeatures.Version} and {InjectionFeatures.Bits} bits. Retrain it with tools/LlmOps.Guardrails.Training.");
        }

        if (data.Length != expected)
        {
            throw new InvalidDataException($"The injection model is {data.Length} bytes, expected {expected}: it is truncated or has trailing data.");
        }

        var body = data[..^8];
        if (XxHash64.HashToUInt64(body) != BinaryPrimitives.ReadUInt64LittleEndian(data[^8..]))
        {
            throw new InvalidDataException("The injection model's checksum does not match: the file is corrupted.");
        }

        var weights = new float[InjectionFeatures.Dimensions];
        var payload = header[16..];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(payload[(i * 2)..]);
        }

        return new InjectionModel(weights, BinaryPrimitives.ReadSingleLittleEndian(header[12..]));
    }

    private static InjectionModel LoadShipped()
    {
        using var stream = EmbeddedResources.Open(ResourceName);
        return Load(stream);
    }
}
