using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LlmOps.Guardrails.Injection;

/// <summary>
/// The offline, layered prompt-injection and jailbreak detector.
/// </summary>
/// <remarks>
/// <para>
/// Layers: (1) normalisation (Unicode compatibility forms, invisible characters, homoglyphs, diacritics, case,
/// leetspeak digits, whitespace splitting, base64-wrapped payloads); (2) a weighted grammar of injection intents
/// (override previous instructions, system-prompt extraction, unrestricted role-play and DAN personas, "you are
/// now", disabling safety, delimiter breakouts and fake <c>system:</c> turns, indirect injections addressed to "the AI"
/// inside documents) in English, German, Spanish and French, built from word classes (override verb x scope x rule
/// object, disclosure verb x hidden object, persona frame x "no limits" qualifier) combined within small token windows;
/// (3) optionally an <see cref="IInjectionClassifier"/> (a model, or <see cref="EmbeddingInjectionClassifier"/> kNN
/// over known attacks), whose score is combined by maximum. (4) Optionally a <see cref="SecondStage"/>: a classifier head
/// over the text's sentence embedding, consulted only when the fast score is in its uncertain band.
/// </para>
/// <para>
/// Score: within a window, the intents found combine as 1 - Π(1 - weight). When the intents occur only inside
/// quotations and the text around them reads as meta-discussion (asks what a quoted phrase means, how to detect
/// attacks), or the text is one third-person question about attacks that never addresses the reader ("why do attackers
/// ask chatbots to reveal the system prompt?"), the score is multiplied by <see cref="MetaDiscount"/>. The text's score is the maximum over overlapping windows of
/// <see cref="WindowSize"/> characters, so an attack in the middle of a long document is not diluted. At or above
/// <see cref="Threshold"/> (default 0.5) the text is blocked (or flagged when <see cref="FlagOnly"/>).
/// Finding spans cover the whole scanned text: normalisation does not keep positions.
/// </para>
/// </remarks>
public sealed class PromptInjectionGuardrail : IGuardrail
{
    private const int MaxHits = 256;

    private InjectionModel? trainedModel;

    /// <summary>Initializes a new instance of the <see cref="PromptInjectionGuardrail"/> class.</summary>
    /// <param name="classifier">An optional model-based classifier.</param>
    public PromptInjectionGuardrail(IInjectionClassifier? classifier = null)
    {
        Classifier = classifier;
    }

    /// <summary>Gets the optional classifier.</summary>
    public IInjectionClassifier? Classifier { get; internal set; }

    /// <summary>
    /// Gets or sets the optional second stage: a classifier head over the text's sentence embedding, consulted only when
    /// the fast score (grammar and trained layer) is in its uncertain band below <see cref="Threshold"/>. It can only
    /// add detections; when its embedding fails it fails open (logged) and the fast verdict stands.
    /// <c>AddGuardrails()</c> gives the default chain's instance one when the all-MiniLM-L6-v2 generator is registered
    /// (<c>AddMiniLmEmbeddingGenerator()</c>; <see cref="GuardrailsOptions.UseInjectionSecondStage"/>).
    /// </summary>
    /// <value>The default value is <see langword="null"/> (the fast model alone decides).</value>
    public InjectionSecondStage? SecondStage { get; set; }

    /// <summary>Gets or sets a value indicating whether this is the default chain's instance (AddGuardrails may give it a classifier).</summary>
    internal bool IsDefaultChainInstance { get; set; }

    /// <inheritdoc/>
    public string Name => "prompt_injection";

    /// <inheritdoc/>
    public GuardrailStage Stages { get; set; } = GuardrailStage.Input;

    /// <inheritdoc/>
    public GuardrailFailureMode FailureMode { get; set; } = GuardrailFailureMode.FailClosed;

    /// <summary>Gets or sets the score at or above which the text is an injection.</summary>
    /// <value>The default value is 0.5.</value>
    public double Threshold { get; set; } = 0.5;

    /// <summary>Gets or sets the factor applied when the intents are only quoted, inside a text that discusses them.</summary>
    /// <value>The default value is 0.3.</value>
    public double MetaDiscount { get; set; } = 0.3;

    /// <summary>Gets or sets the window size in characters of the normalised text.</summary>
    /// <value>The default value is 2048.</value>
    public int WindowSize { get; set; } = 2048;

    /// <summary>Gets or sets the overlap between windows in characters.</summary>
    /// <value>The default value is 256.</value>
    public int WindowOverlap { get; set; } = 256;

    /// <summary>Gets or sets a value indicating whether an injection is flagged rather than blocked.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool FlagOnly { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the trained layer decides: a logistic-regression model over character
    /// n-grams, word n-grams and the grammar's findings (<c>InjectionModel.bin</c>, shipped in the assembly, trained by
    /// <c>tools/LlmOps.Guardrails.Training</c>). When <see langword="false"/>, the grammar's score alone decides.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    /// <remarks>
    /// The grammar alone generalises poorly to attacks phrased in ways its word classes do not cover (46% of the attacks
    /// of a sealed set caught, against 90% with the trained layer); the trained layer reads the grammar's findings as
    /// features and adds the evidence of n-grams learnt from about 4,000 attacks and 7,500 benign texts and hard
    /// negatives from 15 sources. Figures are in <c>benchmarks/results/GuardrailsQuality.md</c> and
    /// <c>InjectionModelTraining.md</c>.
    /// </remarks>
    public bool UseTrainedModel { get; set; } = true;

    /// <summary>
    /// Gets or sets the grammar score at or above which the grammar decides for a short text (at most
    /// <see cref="ShortTextWords"/> words) even when <see cref="UseTrainedModel"/> is on; the text's score is then the
    /// larger of the two. Longer texts give the model enough context to decide alone.
    /// </summary>
    /// <value>The default value is 0.95 (chosen by cross-validation: it keeps terse canonical attacks such as "Ignore
    /// previous instructions." blocked without the hard-negative false positives that the rule costs on longer texts).</value>
    public double GrammarCertainty { get; set; } = 0.95;

    /// <summary>
    /// Replaces the trained layer's shipped weights with a model trained on your own labelled data by
    /// <c>tools/LlmOps.Guardrails.Training</c> (<c>dotnet run --project tools/LlmOps.Guardrails.Training -c Release --
    /// train --data &lt;folder&gt; --out model.bin</c>; the folder has the layout of
    /// <c>data/guardrails</c>).
    /// </summary>
    /// <param name="stream">The model file.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidDataException">The stream is not a model of this version's feature set, or it is truncated
    /// or corrupted; the guardrail keeps its previous model.</exception>
    public void LoadTrainedModel(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        trainedModel = InjectionModel.Load(stream);
    }

    /// <summary>The most whitespace-separated words a text may have for <see cref="GrammarCertainty"/> to apply.</summary>
    internal const int ShortTextWords = 12;

    /// <summary>Gets a value indicating whether a text has at most <see cref="ShortTextWords"/> whitespace-separated words.</summary>
    /// <param name="text">The text.</param>
    /// <returns>Whether the text is short.</returns>
    internal static bool IsShortText(string text)
    {
        var words = 0;
        var inWord = false;
        foreach (var c in text)
        {
            var letter = !char.IsWhiteSpace(c);
            if (letter && !inWord && ++words > ShortTextWords)
            {
                return false;
            }

            inWord = letter;
        }

        return true;
    }

    /// <summary>Scores a text with the offline layers (the grammar and, when <see cref="UseTrainedModel"/>, the trained model).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The score in [0, 1] and the intent families found in the best window (<c>model</c> when the trained layer decided).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public (double Score, IReadOnlyList<string> Families) Score(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rules = RuleScore(text, out var folded, out var spaced, out var payload, UseTrainedModel, out var map);
        if (!UseTrainedModel)
        {
            return rules;
        }

        var model = trainedModel ?? InjectionModel.Default;
        double best;
        if (folded.Length <= WindowSize)
        {
            best = ModelScore(model, folded, spaced, rules, map);
        }
        else
        {
            // The model reads one window of the folded view at a time, each with the grammar's evidence for that window,
            // so an attack in the middle of a long document is not diluted by the text around it.
            best = 0;
            var step = Math.Max(1, WindowSize - WindowOverlap);
            for (var start = 0; start < folded.Length; start += step)
            {
                var window = folded.Substring(start, Math.Min(WindowSize, folded.Length - start));

                // When the grammar found nothing in the whole text, it finds nothing in any window either.
                var windowRules = rules.Score == 0 ? rules : RuleScore(window);
                best = Math.Max(best, ModelScore(model, window, spaced: null, windowRules));
                if (best >= Threshold || start + WindowSize >= folded.Length)
                {
                    break;
                }
            }
        }

        if (payload is { } decoded && best < Threshold)
        {
            best = Math.Max(best, ModelScore(model, decoded.Folded, decoded.Spaced, (decoded.Score, decoded.Families)));
        }

        if (rules.Score >= GrammarCertainty && rules.Score > best && IsShortText(text))
        {
            // A short text holding an unmistakable, undiscounted intent ("Ignore previous instructions.") gives the model
            // too little context to go on; the grammar's word decides.
            return rules;
        }

        return best < Threshold ? (best, rules.Families) : (best, [.. rules.Families, "model"]);
    }

    private (double Score, IReadOnlyList<string> Families) RuleScore(string text) => RuleScore(text, out _, out _, out _, withMap: false, out _);

    /// <summary>
    /// The trained layer's score for a window: the window itself when it is short, else its most suspicious chunk of whole
    /// sentences, each chunk with the grammar's evidence for that chunk (see <see cref="InjectionModel.ChunkCharacters"/>).
    /// <paramref name="spaced"/> is only read for a short window; pass <see langword="null"/> when it is not at hand.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="folded">The folded window.</param>
    /// <param name="spaced">The window's spaced view, or <see langword="null"/>.</param>
    /// <param name="rules">The grammar's evidence for the window.</param>
    /// <param name="map">Where each folded position lands in <paramref name="spaced"/>, when <paramref name="spaced"/> is
    /// the window's spaced view without rejoined words (as the grammar's reading gives it); the chunks are then sliced
    /// from it instead of a second spaced view.</param>
    internal double ModelScore(InjectionModel model, string folded, string? spaced, (double Score, IReadOnlyList<string> Families) rules, int[]? map = null)
    {
        if (folded.Length <= InjectionModel.ChunkCharacters)
        {
            spaced ??= InjectionNormalizer.Rejoin(InjectionNormalizer.SpacedFromFolded(folded));
            var whole = model.Score(folded, spaced, rules.Score, rules.Families);

            // An override appended to (or put before) a harmless question is read on its own too (InjectionClauses).
            return InjectionClauses.FirstAndLast(folded) is { } clauses
                ? Math.Max(whole, Math.Max(ClauseScore(model, folded, clauses.First, rules), ClauseScore(model, folded, clauses.Last, rules)))
                : whole;
        }

        // Score = max over chunks of min(chunk, its context). Contexts cost three chunks each, so they are read only for
        // chunks that could still raise the maximum and reach the threshold, most suspicious first; below the threshold
        // the score is an upper bound (max over chunks), which gives the same decision.
        var reader = map is not null && spaced is not null ? new InjectionModel.ChunkReader(folded, spaced, map) : new InjectionModel.ChunkReader(folded);
        var chunks = reader.Chunks;
        if (chunks.Count == 0)
        {
            return 0;
        }

        Span<double> scores = chunks.Count <= 64 ? stackalloc double[chunks.Count] : new double[chunks.Count];
        if (rules.Score == 0)
        {
            // When the grammar found nothing in the window, it finds nothing in any chunk: one evidence for all.
            model.ScoreChunks(reader, new ReadOnlySpan<(double, IReadOnlyList<string>)>(in rules), scores);
        }
        else
        {
            var evidence = new (double, IReadOnlyList<string>)[chunks.Count];
            for (var k = 0; k < chunks.Count; k++)
            {
                evidence[k] = RuleScore(reader.Views(chunks[k]).Folded.ToString());
            }

            model.ScoreChunks(reader, evidence, scores);
        }

        if (chunks.Count == 1)
        {
            return scores[0];
        }

        double best = 0;
        while (true)
        {
            var top = 0;
            for (var k = 1; k < scores.Length; k++)
            {
                top = scores[k] > scores[top] ? k : top;
            }

            if (scores[top] <= best)
            {
                return best;
            }

            if (scores[top] < Threshold)
            {
                // No remaining chunk can reach the threshold, with or without its context: report the upper bound and
                // skip reading contexts (the decision is the same either way).
                return Math.Max(best, scores[top]);
            }

            best = Math.Max(best, Math.Min(scores[top], Read(InjectionModel.Context(chunks, top))));
            scores[top] = double.NegativeInfinity;
        }

        double Read((int Start, int Length) range)
        {
            var views = reader.Views(range);
            var evidence = rules.Score == 0 ? rules : RuleScore(views.Folded.ToString());
            return model.Score(views, evidence.Score, evidence.Families);
        }
    }

    /// <summary>A clause's score: the model's reading of the clause with the grammar's evidence for it, lowered by <see cref="InjectionClauses.LogitShift"/>.</summary>
    private double ClauseScore(InjectionModel model, string folded, (int Start, int Length) range, (double Score, IReadOnlyList<string> Families) rules)
    {
        var clause = folded.Substring(range.Start, range.Length);
        var evidence = rules.Score == 0 ? rules : RuleScore(clause);
        return InjectionClauses.Shift(model.Score(clause, InjectionNormalizer.Rejoin(InjectionNormalizer.SpacedFromFolded(clause)), evidence.Score, evidence.Families));
    }

    /// <summary>
    /// Scores a text with the grammar alone; also returns the text's folded and spaced views, and the grammar's reading
    /// of its decoded base64 payloads (null when it has none), so the trained layer can read them without decoding again.
    /// </summary>
    private (double Score, IReadOnlyList<string> Families) RuleScore(
        string text, out string folded, out string spaced, out (double Score, IReadOnlyList<string> Families, string Folded, string Spaced)? payload, bool withMap, out int[]? map)
    {
        var best = ScoreView(text, allowDiscount: true, out folded, out spaced, withMap, out map);
        payload = null;
        var decodedText = InjectionNormalizer.DecodeBase64Payloads(text);
        if (decodedText.Length > 0)
        {
            var decoded = ScoreView(decodedText, allowDiscount: false, out var decodedFolded, out var decodedSpaced, withMap: false, out _);
            payload = (decoded.Score, decoded.Families, decodedFolded, decodedSpaced);
            if (decoded.Score > best.Score)
            {
                best = (decoded.Score, [.. decoded.Families, "base64"]);
            }
        }

        return best;
    }

    /// <inheritdoc/>
    public async ValueTask<GuardrailResult> ScanAsync(string text, GuardrailContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (score, families) = Score(text);
        if (SecondStage is { } stage && stage.IsInBand(score, Threshold)
            && await stage.ScoreAsync(text, cancellationToken).ConfigureAwait(false) is { } headScore && headScore >= stage.Threshold)
        {
            score = Math.Max(Threshold, headScore);
            families = ["second_stage"];
        }

        if (Classifier is not null && score < Threshold)
        {
            var step = Math.Max(1, WindowSize - WindowOverlap);
            for (var start = 0; start < text.Length; start += step)
            {
                var window = text.Substring(start, Math.Min(WindowSize, text.Length - start));
                var model = await Classifier.ScoreAsync(window, cancellationToken).ConfigureAwait(false);
                if (model > score)
                {
                    score = model;
                    families = ["classifier"];
                }

                if (score >= Threshold || start + WindowSize >= text.Length)
                {
                    break;
                }
            }
        }

        if (score < Threshold)
        {
            return GuardrailResult.Allow();
        }

        var finding = new GuardrailFinding(
            "injection." + (families.Count > 0 ? families[0] : "unknown"), 0, text.Length, score,
            $"Prompt-injection intents: {string.Join(", ", families)} (score {score:0.00}, threshold {Threshold:0.00}).");
        return FlagOnly ? GuardrailResult.Flag([finding]) : GuardrailResult.Block([finding]);
    }

    private (double Score, IReadOnlyList<string> Families) ScoreView(string text, bool allowDiscount, out string folded, out string spaced, bool withMap, out int[]? map)
    {
        var full = ScoreWindows(text, out folded, out spaced, withMap, out map);
        if (!allowDiscount || full.Score == 0)
        {
            return full;
        }

        // A single question about attacks in the third person ("why do attackers ask chatbots to reveal the system
        // prompt?") mentions an intent without addressing the model: it reads as meta-discussion.
        if (InjectionPatterns.IsDetachedQuestion(text))
        {
            return (full.Score * MetaDiscount, full.Families);
        }

        // Harmless meta-discussion quotes the attack and asks about it. When the intents are found only inside
        // quotations and the text around them reads as a question about them, the quoted part is discounted.
        var unquoted = InjectionNormalizer.BlankQuoted(text);
        if (ReferenceEquals(unquoted, text))
        {
            return full;
        }

        var outside = ScoreWindows(unquoted, out _, out _, withMap: false, out _);
        if (outside.Score >= full.Score || !InjectionPatterns.Meta.IsMatch(InjectionNormalizer.Spaced(unquoted)))
        {
            return full;
        }

        var discounted = full.Score * MetaDiscount;
        return discounted >= outside.Score ? (discounted, full.Families) : outside;
    }

    private (double Score, IReadOnlyList<string> Families) ScoreWindows(string text, out string folded, out string spaced, bool withMap, out int[]? map)
    {
        folded = InjectionNormalizer.Folded(text);
        var best = ScoreFolded(text, folded, primary: true, out spaced, withMap, out map);
        var joined = InjectionNormalizer.JoinInnerPunctuation(folded);
        if (!ReferenceEquals(joined, folded))
        {
            // Punctuation inserted inside words ("ig.no_re pre-vi*ous") is read both ways; the better reading wins,
            // so a hyphenated benign word is never counted twice.
            var alternative = ScoreFolded(text, joined, primary: false, out _, withMap: false, out _);
            if (alternative.Score > best.Score)
            {
                best = alternative;
            }
        }

        return best;
    }

    /// <summary>
    /// The grammar's reading of one folded view. With <paramref name="withMap"/>, a view that the trained layer will read
    /// in chunks also gets its position map (<see cref="InjectionNormalizer.SpacedFromFolded(string, int[])"/>), returned
    /// in <paramref name="map"/> when no words were rejoined, so the chunk reader need not build the spaced view again.
    /// </summary>
    private (double Score, IReadOnlyList<string> Families) ScoreFolded(string text, string folded, bool primary, out string spaced, bool withMap, out int[]? map)
    {
        map = withMap && folded.Length > InjectionModel.ChunkCharacters && folded.Length <= WindowSize ? new int[folded.Length + 1] : null;
        var unjoined = InjectionNormalizer.SpacedFromFolded(folded, map);
        spaced = InjectionNormalizer.Rejoin(unjoined);
        map = ReferenceEquals(spaced, unjoined) ? map : null;
        var compact = InjectionNormalizer.Compact(spaced);
        var hits = new List<(string Family, double Weight, double Position)>();
        Collect(InjectionPatterns.Spaced, InjectionPatterns.SpacedAny, spaced, hits, InjectionPatterns.MayMatchSpaced(spaced));
        var triggered = InjectionGrammar.Triggered(spaced, out var languages);
        var english = InjectionGrammar.Languages[0].Patterns;
        for (var i = 0; i < english.Length && triggered != 0; i++)
        {
            if ((triggered & (1UL << i)) != 0)
            {
                Collect(english[i..(i + 1)], null, spaced, hits);
            }
        }

        foreach (var (gate, patterns) in InjectionGrammar.Languages.AsSpan(1))
        {
            if ((languages & (1 << gate)) != 0)
            {
                Collect(patterns, null, spaced, hits);
            }
        }

        Collect(InjectionPatterns.Compact, InjectionPatterns.CompactAny, compact, hits, compact.AsSpan().ContainsAny(InjectionPatterns.CompactAnchors));
        var before = hits.Count;
        if (primary)
        {
            var visible = InjectionNormalizer.StripInvisible(text);
            Collect(InjectionPatterns.Raw, InjectionPatterns.RawAny, visible, hits, InjectionPatterns.MayMatchRaw(visible));
        }

        if (hits.Count == before)
        {
            // Delimiters disguised with homoglyphs, leetspeak or letter spacing ("< s y s t e m >", "<|sy5t3m|>") show
            // up in the folded view. Only consulted when the raw text has none, so nothing is counted twice.
            Collect(InjectionPatterns.Raw, InjectionPatterns.RawAny, folded, hits, InjectionPatterns.MayMatchRaw(folded));
        }

        if (hits.Count == 0)
        {
            return (0, []);
        }

        // Positions are fractions of each view, so windows line up across views of different lengths.
        var length = Math.Max(1, spaced.Length);
        var windowFraction = Math.Min(1.0, (double)WindowSize / length);
        var stepFraction = Math.Min(1.0, (double)Math.Max(1, WindowSize - WindowOverlap) / length);
        double bestScore = 0;
        List<string> bestFamilies = [];
        for (double start = 0; start < 1.0; start += stepFraction)
        {
            var end = start + windowFraction;
            double keep = 1;
            var families = new List<string>();
            foreach (var (family, weight, position) in hits)
            {
                if (position >= start && position <= end)
                {
                    keep *= 1 - weight;
                    if (!families.Contains(family))
                    {
                        families.Add(family);
                    }
                }
            }

            var score = 1 - keep;
            if (score > bestScore)
            {
                bestScore = score;
                bestFamilies = families;
            }

            if (end >= 1.0)
            {
                break;
            }
        }

        return (bestScore, bestFamilies);
    }

    private static void Collect((string Family, double Weight, Regex Pattern)[] patterns, Regex? any, string view, List<(string, double, double)> hits, bool anchored = true)
    {
        // anchored: the view holds one of the anchors that every match of these patterns needs (when false, none can match).
        Debug.Assert(anchored || any is null || !any.IsMatch(view), "A pattern matched a view without its anchor: add the anchor to InjectionPatterns.");
        if (!anchored || (any is not null && !any.IsMatch(view)))
        {
            return;
        }

        var length = Math.Max(1, view.Length);
        foreach (var (family, weight, pattern) in patterns)
        {
            foreach (var match in pattern.EnumerateMatches(view))
            {
                if (hits.Count >= MaxHits)
                {
                    // Enough evidence: the score has saturated, and an adversarial input must not make windows quadratic.
                    return;
                }

                hits.Add((family, weight, (double)match.Index / length));
            }
        }
    }
}
