using System.Buffers.Binary;
using System.IO.Hashing;

namespace LlmOps.Guardrails.Scanners;

/// <summary>
/// The trained layer of <see cref="PromptInjectionGuardrail"/>: a logistic-regression model over the hashed features of
/// <see cref="InjectionFeatures"/> (character n-grams, word n-grams and the rule layer's evidence).
/// </summary>
/// <remarks>
/// <para>
/// The shipped weights (<c>InjectionModel.bin</c>, embedded in the assembly) are trained by
/// <c>tools/LlmOps.Guardrails.Training</c> from the labelled sets committed under
/// <c>tests/LlmOps.Tests/Guardrails/Data/</c>; the tool is deterministic, and a test retrains and compares. The bias
/// already carries the operating point chosen by cross-validation, so a score of 0.5 is the decision boundary, matching
/// <see cref="PromptInjectionGuardrail.Threshold"/>.
/// </para>
/// <para>
/// File format (little-endian): the 8 ASCII bytes <c>LLMOPSIM</c>, format version (int32), feature-set version (int32),
/// hash bits (int32), bias (float32), then 2^bits weights as IEEE half floats, then the XxHash64 of everything before it.
/// </para>
/// <para>Scoring allocates nothing beyond the two normalised views of the text and is thread-safe (the weights are read-only).</para>
/// </remarks>
internal sealed class InjectionModel
{
    /// <summary>The name of the embedded resource that holds the shipped weights.</summary>
    public const string ResourceName = "LlmOps.Guardrails.Scanners.InjectionModel.bin";

    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "LLMOPSIM"u8.ToArray();
    private static readonly Lazy<InjectionModel> Shipped = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly float[] weights;

    /// <summary>Initializes a new instance of the <see cref="InjectionModel"/> class.</summary>
    /// <param name="weights">The <see cref="InjectionFeatures.Dimensions"/> weights.</param>
    /// <param name="bias">The bias (intercept).</param>
    public InjectionModel(float[] weights, float bias)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length != InjectionFeatures.Dimensions)
        {
            throw new ArgumentException($"An injection model needs {InjectionFeatures.Dimensions} weights, not {weights.Length}.", nameof(weights));
        }

        this.weights = weights;
        Bias = bias;
    }

    /// <summary>Gets the model shipped in the assembly.</summary>
    public static InjectionModel Default => Shipped.Value;

    /// <summary>Gets the bias.</summary>
    public float Bias { get; }

    /// <summary>Gets the weights (read-only by convention; the array is shared).</summary>
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
    {
        var dot = new DotVisitor(weights);
        Extract(folded, spaced, ruleScore, ruleFamilies, ref dot);
        return 1 / (1 + Math.Exp(-(dot.Sum + Bias)));
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
    {
        var blanked = InjectionNormalizer.BlankQuoted(folded);
        var outside = ReferenceEquals(blanked, folded) ? spaced : InjectionNormalizer.Rejoin(InjectionNormalizer.SpacedFromFolded(blanked));
        InjectionFeatures.Extract(folded, spaced, outside, ruleScore, ruleFamilies, ref visitor);
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
        using var stream = typeof(InjectionModel).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{ResourceName}' is missing from the LlmOps assembly; the package is damaged.");
        return Load(stream);
    }

    private struct DotVisitor(float[] weights) : InjectionFeatures.IVisitor
    {
        public float Sum;

        public void Visit(int index, float value) => Sum += weights[index] * value;
    }
}
