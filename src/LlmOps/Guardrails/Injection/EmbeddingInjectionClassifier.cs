using System.Numerics.Tensors;
using System.Reflection;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmOps.Guardrails.Injection;

/// <summary>
/// An <see cref="IInjectionClassifier"/> over any <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>. With known
/// attacks only, a text scores by its cosine similarity to the nearest attack (at or below <see cref="Floor"/> it is 0,
/// the rest is rescaled to [0, 1]). With benign exemplars as well (benign prompts and hard negatives: text that talks
/// about attacks without being one), a text scores by a similarity-weighted vote of its <see cref="Neighbors"/> nearest
/// exemplars of both kinds, so text that is merely on the same topic as an attack lands among benign neighbours and
/// scores low. Exemplars are embedded once, on first use (thread-safe); a scored text is embedded once per call.
/// </summary>
public sealed class EmbeddingInjectionClassifier : IInjectionClassifier, IDisposable
{
    private const int ExemplarBatch = 64;

    private const string DefaultResource = "LlmOps.Guardrails.Injection.InjectionExemplars.tsv";

    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly string[] _texts;
    private readonly bool[] _isAttack;
    private readonly bool _hasBenign;
    private readonly CancellationTokenSource _stop = new();
    private Task<float[][]>? _vectors;
    private long _warmUpStarted;
    private int _timeoutLogged;
    private volatile bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="EmbeddingInjectionClassifier"/> class from known attacks only.</summary>
    /// <param name="generator">The embedding generator.</param>
    /// <param name="knownAttacks">Known attack texts.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="knownAttacks"/> is empty.</exception>
    public EmbeddingInjectionClassifier(IEmbeddingGenerator<string, Embedding<float>> generator, IEnumerable<string> knownAttacks)
        : this(generator, knownAttacks, [])
    {
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="EmbeddingInjectionClassifier"/> class from known attacks and
    /// benign exemplars (ordinary prompts and hard negatives that discuss attacks).
    /// </summary>
    /// <param name="generator">The embedding generator.</param>
    /// <param name="knownAttacks">Known attack texts.</param>
    /// <param name="knownBenign">Benign texts; when empty the classifier scores by the nearest attack alone.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="knownAttacks"/> is empty.</exception>
    public EmbeddingInjectionClassifier(
        IEmbeddingGenerator<string, Embedding<float>> generator,
        IEnumerable<string> knownAttacks,
        IEnumerable<string> knownBenign)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(knownAttacks);
        ArgumentNullException.ThrowIfNull(knownBenign);
        _generator = generator;
        string[] attacks = [.. knownAttacks];
        string[] benign = [.. knownBenign];
        if (attacks.Length == 0)
        {
            throw new ArgumentException("Give at least one known attack text.", nameof(knownAttacks));
        }

        if (attacks.Any(static a => a is null) || benign.Any(static b => b is null))
        {
            throw new ArgumentException("Exemplar texts must not be null; remove the null entries.", nameof(knownAttacks));
        }

        _texts = [.. attacks, .. benign];
        _isAttack = [.. attacks.Select(static _ => true), .. benign.Select(static _ => false)];
        _hasBenign = benign.Length > 0;
        if (_hasBenign)
        {
            Floor = 0.55f;
        }
    }

    /// <summary>
    /// Gets or sets the cosine similarity to the nearest attack at or below which the score is 0. With attacks only it
    /// also anchors the rescaling of the score.
    /// </summary>
    /// <value>The default value is 0.75 with attacks only and 0.55 with benign exemplars.</value>
    public float Floor { get; set; } = 0.75f;

    /// <summary>Gets or sets how many nearest exemplars vote when benign exemplars are given.</summary>
    /// <value>The default value is 5.</value>
    public int Neighbors { get; set; } = 5;

    /// <summary>
    /// Gets or sets the temperature of the vote: each neighbour weighs <c>exp(similarity / Temperature)</c>, so a
    /// small value lets the closest neighbours dominate.
    /// </summary>
    /// <value>The default value is 1 (close to an unweighted vote).</value>
    public float Temperature { get; set; } = 1f;

    /// <summary>
    /// Gets or sets the share of the (weighted) vote for "attack" that maps to a score of 0.5, the default threshold
    /// of <see cref="PromptInjectionGuardrail"/>: the vote is rescaled piecewise-linearly so that [0, Agreement] maps to
    /// [0, 0.5] and [Agreement, 1] to [0.5, 1]. A high value trades recall for fewer false positives.
    /// </summary>
    /// <value>The default value is 0.9 (with 5 neighbours: all of them must be attacks).</value>
    public double Agreement { get; set; } = 0.9;

    /// <summary>
    /// Gets or sets a value indicating whether <see cref="ScoreAsync"/> waits for the exemplars to be embedded. When
    /// <see langword="false"/>, a call made before <see cref="WarmUpAsync"/> has finished starts it (if needed) and
    /// scores 0, so the rules alone decide until the layer is ready.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool WaitForExemplars { get; set; } = true;

    /// <summary>
    /// Gets or sets how long after the exemplar embedding started <see cref="ScoreAsync"/> still waits for it (when
    /// <see cref="WaitForExemplars"/> is <see langword="true"/>). A call after that scores 0, so the other layers decide,
    /// while the embedding carries on; the first such call is logged (EventId 1111). The bound is shared: requests that
    /// arrive during a slow warm-up all return by the same deadline.
    /// </summary>
    /// <value>The default value is <see cref="Timeout.InfiniteTimeSpan"/> (wait as long as the embedding takes);
    /// <see cref="TimeSpan.Zero"/> never waits, like <see cref="WaitForExemplars"/> set to <see langword="false"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative and not <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public TimeSpan WarmUpTimeout
    {
        get;
        set
        {
            if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "EmbeddingInjectionClassifier.WarmUpTimeout must be zero or positive, or Timeout.InfiniteTimeSpan.");
            }

            field = value;
        }
    } = Timeout.InfiniteTimeSpan;

    /// <summary>Gets or sets the clock for <see cref="WarmUpTimeout"/>.</summary>
    internal TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets where a failed exemplar run (EventId 1110) and a warm-up timeout (1111) are logged.</summary>
    internal ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>Gets a value indicating whether the exemplars are embedded and the classifier scores.</summary>
    public bool IsReady => _vectors is { IsCompletedSuccessfully: true };

    /// <summary>Gets the number of exemplars (attacks and benign).</summary>
    public int ExemplarCount => _texts.Length;

    /// <summary>
    /// Creates a classifier with the exemplar set shipped in this assembly (attacks, benign prompts and hard negatives
    /// in English, from the LlmOps development sets). It is meant for an English sentence-embedding model such as
    /// all-MiniLM-L6-v2; embedding the exemplars takes a few seconds on first use.
    /// </summary>
    /// <param name="generator">The embedding generator.</param>
    /// <returns>The classifier.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> is <see langword="null"/>.</exception>
    public static EmbeddingInjectionClassifier CreateDefault(IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var (attacks, benign) = DefaultExemplars.Value;
        return new EmbeddingInjectionClassifier(generator, attacks, benign);
    }

    /// <summary>Parses exemplars in the shipped format: one <c>label&lt;TAB&gt;text</c> a line, label <c>attack</c> or <c>benign</c>.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The attack and benign texts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">A line has no tab or an unknown label.</exception>
    public static (IReadOnlyList<string> Attacks, IReadOnlyList<string> Benign) ParseExemplars(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var attacks = new List<string>();
        var benign = new List<string>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            var label = tab < 0 ? string.Empty : line[..tab];
            var text = tab < 0 ? string.Empty : line[(tab + 1)..].Replace("\\n", "\n", StringComparison.Ordinal);
            switch (label)
            {
                case "attack":
                    attacks.Add(text);
                    break;
                case "benign":
                    benign.Add(text);
                    break;
                default:
                    throw new FormatException($"Exemplar line {number} must be 'attack<TAB>text' or 'benign<TAB>text'; it starts with '{(line.Length > 20 ? line[..20] : line)}'.");
            }
        }

        return (attacks, benign);
    }

    /// <summary>Embeds the exemplars now (once; later calls return the same work).</summary>
    /// <param name="cancellationToken">Cancels this wait, not the shared embedding run.</param>
    /// <returns>A task that completes when the classifier is ready.</returns>
    public Task WarmUpAsync(CancellationToken cancellationToken = default) => Exemplars().WaitAsync(cancellationToken);

    /// <summary>
    /// Stops an exemplar embedding run that is still going (waiting up to 10 seconds for the batch in flight, so the
    /// generator can be disposed safely afterwards). The generator itself is not disposed.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        try
        {
            _ = _vectors?.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // Cancelled or failed: either way nothing is running any more.
        }

        _stop.Dispose();
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public async ValueTask<double> ScoreAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var pending = Exemplars();
        if (!pending.IsCompletedSuccessfully)
        {
            if (!WaitForExemplars || WarmUpTimeout == TimeSpan.Zero)
            {
                return 0;
            }

            if (WarmUpTimeout != Timeout.InfiniteTimeSpan && !await ReadyWithinWarmUpAsync(pending, cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }
        }

        var vectors = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        var query = (await _generator.GenerateAsync([Normalize(text)], cancellationToken: cancellationToken).ConfigureAwait(false))[0].Vector.Span;
        return _hasBenign ? Vote(query, vectors) : Nearest(query, vectors);
    }

    private static readonly Lazy<(string[] Attacks, string[] Benign)> DefaultExemplars = new(static () =>
    {
        using var stream = EmbeddedResources.Open(DefaultResource);
        using var reader = new StreamReader(stream);
        var (attacks, benign) = ParseExemplars(reader);
        return ([.. attacks], [.. benign]);
    });

    private Task<float[][]> Exemplars()
    {
        var pending = _vectors;
        if (pending is null || (pending.IsFaulted && !_disposed))
        {
            // One embedding run for every caller, not cancelled by any single one (each caller's wait is); a failed run
            // is retried by the next caller.
            Interlocked.Exchange(ref _warmUpStarted, TimeProvider.GetTimestamp());
            var started = EmbedExemplarsAsync();
            var current = Interlocked.CompareExchange(ref _vectors, started, pending);
            pending = ReferenceEquals(current, pending) ? started : current!;
        }

        return pending;
    }

    private static string Normalize(string text) => InjectionNormalizer.Folded(text);

    /// <summary>Waits for the exemplars until the shared warm-up deadline; false (logged once) when it passed first.</summary>
    private async ValueTask<bool> ReadyWithinWarmUpAsync(Task<float[][]> pending, CancellationToken cancellationToken)
    {
        var remaining = WarmUpTimeout - TimeProvider.GetElapsedTime(Interlocked.Read(ref _warmUpStarted));
        if (remaining > TimeSpan.Zero)
        {
            try
            {
                await pending.WaitAsync(remaining, TimeProvider, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (TimeoutException)
            {
                // Fall through: the deadline passed before the exemplars were ready.
            }
        }

        if (pending.IsCompleted)
        {
            return true; // ready (or failed: the caller's await surfaces the failure) just as the deadline passed
        }

        if (Interlocked.Exchange(ref _timeoutLogged, 1) == 0)
        {
            GuardrailsLog.ClassifierWarmUpTimedOut(Logger, WarmUpTimeout.TotalMilliseconds);
        }

        return false;
    }

    private async Task<float[][]> EmbedExemplarsAsync()
    {
        try
        {
            return await EmbedExemplarsCoreAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && _disposed))
        {
            // Logged once per failed run, whoever started it (a background warm-up has no caller to see the exception).
            GuardrailsLog.ClassifierWarmUpFailed(Logger, ex);
            throw;
        }
    }

    private async Task<float[][]> EmbedExemplarsCoreAsync()
    {
        await Task.Yield();
        var token = _stop.Token;
        var normalized = Array.ConvertAll(_texts, Normalize);
        var vectors = new float[normalized.Length][];
        for (var start = 0; start < normalized.Length; start += ExemplarBatch)
        {
            // Small batches, so Dispose stops the run within one batch.
            token.ThrowIfCancellationRequested();
            var batch = normalized[start..Math.Min(normalized.Length, start + ExemplarBatch)];
            var embedded = await _generator.GenerateAsync(batch, cancellationToken: token).ConfigureAwait(false);
            if (embedded.Count != batch.Length)
            {
                throw new InvalidOperationException($"The embedding generator returned {embedded.Count} embeddings for {batch.Length} exemplars.");
            }

            for (var i = 0; i < batch.Length; i++)
            {
                vectors[start + i] = embedded[i].Vector.ToArray();
            }
        }

        return vectors;
    }

    private double Nearest(ReadOnlySpan<float> query, float[][] vectors)
    {
        var best = 0f;
        for (var i = 0; i < vectors.Length; i++)
        {
            if (vectors[i].Length == query.Length)
            {
                best = Math.Max(best, TensorPrimitives.CosineSimilarity(query, vectors[i]));
            }
        }

        return best <= Floor ? 0 : Math.Clamp((best - Floor) / (1 - Floor), 0, 1);
    }

    private double Vote(ReadOnlySpan<float> query, float[][] vectors)
    {
        var k = Math.Clamp(Neighbors, 1, 64);
        Span<float> topSim = stackalloc float[k];
        Span<int> topIndex = stackalloc int[k];
        topSim.Fill(float.NegativeInfinity);
        topIndex.Fill(-1);
        var bestAttack = float.NegativeInfinity;
        for (var i = 0; i < vectors.Length; i++)
        {
            if (vectors[i].Length != query.Length)
            {
                continue;
            }

            var sim = TensorPrimitives.CosineSimilarity(query, vectors[i]);
            if (_isAttack[i] && sim > bestAttack)
            {
                bestAttack = sim;
            }

            if (sim <= topSim[k - 1])
            {
                continue;
            }

            // Insertion into the sorted top-k (descending).
            var j = k - 1;
            while (j > 0 && topSim[j - 1] < sim)
            {
                topSim[j] = topSim[j - 1];
                topIndex[j] = topIndex[j - 1];
                j--;
            }

            topSim[j] = sim;
            topIndex[j] = i;
        }

        if (bestAttack <= Floor || topIndex[0] < 0)
        {
            return 0;
        }

        double attack = 0, total = 0;
        var temperature = Math.Max(Temperature, 1e-3f);
        for (var j = 0; j < k && topIndex[j] >= 0; j++)
        {
            var weight = Math.Exp((topSim[j] - topSim[0]) / temperature);
            total += weight;
            if (_isAttack[topIndex[j]])
            {
                attack += weight;
            }
        }

        var vote = total == 0 ? 0 : attack / total;
        var agreement = Math.Clamp(Agreement, 1e-3, 1 - 1e-3);
        return vote < agreement ? 0.5 * vote / agreement : 0.5 + (0.5 * (vote - agreement) / (1 - agreement));
    }
}
