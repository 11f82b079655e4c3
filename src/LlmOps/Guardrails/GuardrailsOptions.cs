using LlmOps.DependencyInjection;

namespace LlmOps.Guardrails;

/// <summary>
/// Options for <see cref="GuardrailsChatClient"/>, registered with <c>services.AddLlmOps().AddGuardrails(o =&gt; …)</c>
/// (which starts from the default chain) and validated at startup.
/// </summary>
public sealed class GuardrailsOptions : IValidatableOptions
{
    /// <summary>Gets the scanners, run in order. Each runs in the stages it declares.</summary>
    /// <value>The default value is an empty list; <see cref="GuardrailsOptions.CreateDefault"/> fills the default chain.</value>
    public IList<IGuardrail> Guardrails { get; } = new List<IGuardrail>();

    /// <summary>Gets or sets how a block is reported.</summary>
    /// <value>The default value is <see cref="GuardrailBlockBehavior.Throw"/>.</value>
    public GuardrailBlockBehavior BlockBehavior { get; set; } = GuardrailBlockBehavior.Throw;

    /// <summary>Gets or sets the refusal text returned when <see cref="BlockBehavior"/> is <see cref="GuardrailBlockBehavior.Refuse"/>.</summary>
    /// <value>The default value is "I can't help with that request."</value>
    public string RefusalText { get; set; } = "I can't help with that request.";

    /// <summary>Gets or sets how streamed output is scanned.</summary>
    /// <value>The default value is <see cref="GuardrailStreamingMode.Buffered"/>.</value>
    public GuardrailStreamingMode StreamingMode { get; set; } = GuardrailStreamingMode.Buffered;

    /// <summary>Gets or sets the streaming window in characters (about 200 tokens at 4 characters a token).</summary>
    /// <value>The default value is 800.</value>
    public int WindowSize { get; set; } = 800;

    /// <summary>
    /// Gets or sets the context carried from one window to the next, in characters (about 50 tokens). In buffered
    /// mode it is also the tail held back so a match that is still arriving is never released half-way.
    /// </summary>
    /// <value>The default value is 200.</value>
    public int WindowOverlap { get; set; } = 200;

    /// <summary>
    /// Gets or sets the tail held back in incremental mode. A sensitive span no longer than this, split across
    /// chunks, is redacted before any part of it is yielded; a longer one may leak its beginning.
    /// </summary>
    /// <value>The default value is 128.</value>
    public int IncrementalHoldback { get; set; } = 128;

    /// <summary>Gets or sets the time one scanner may take before its <see cref="IGuardrail.FailureMode"/> applies.</summary>
    /// <value>The default value is 2 seconds.</value>
    public TimeSpan ScannerTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets a value indicating whether <c>AddGuardrails()</c> gives the default chain's
    /// <see cref="Injection.PromptInjectionGuardrail"/> the default <see cref="Injection.EmbeddingInjectionClassifier"/>
    /// (a second layer scored when the rules score below the threshold) when an
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> is registered. The exemplars are embedded in the
    /// background when the options are first resolved; requests that arrive before they are ready wait for them, up to
    /// <see cref="EmbeddingClassifierWarmUpTimeout"/> after the warm-up started, and are scored without the classifier after that.
    /// </summary>
    /// <remarks>
    /// Off by default because it trades false positives for recall. On a blind set (benchmarks/results/GuardrailsQuality.md,
    /// "Blind set 2") with all-MiniLM-L6-v2 it raised injection TPR from 65.9% to 80.1% but benign FPR from 1.6% to 5.0%
    /// and hard-negative FPR from 4.3% to 6.9%. Turn it on where a missed injection costs more than a refused request.
    /// </remarks>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool UseEmbeddingInjectionClassifier { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether <c>AddGuardrails()</c> gives the default chain's
    /// <see cref="Injection.PromptInjectionGuardrail"/> its second stage (<see cref="Injection.InjectionSecondStage"/>: a
    /// classifier head over all-MiniLM-L6-v2 embeddings, consulted only for texts in the fast model's uncertain band) when
    /// the registered <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> produces all-MiniLM-L6-v2
    /// embeddings, as the one <c>AddMiniLmEmbeddingGenerator()</c> registers does. With another generator, or none, the
    /// fast model decides alone.
    /// </summary>
    /// <remarks>
    /// Texts the fast model is sure about are never embedded, so they keep the fast path's latency; a text in the band
    /// costs one embedding call (a few milliseconds on a CPU; figures in benchmarks/results/InjectionSecondStage.md). When
    /// the embedding fails the stage fails open and logs it (EventId 1112).
    /// </remarks>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool UseInjectionSecondStage { get; set; } = true;

    /// <summary>
    /// Gets or sets how long after the embedding classifier's warm-up started (see
    /// <see cref="UseEmbeddingInjectionClassifier"/>) requests still wait for it. The deadline is shared, so a slow
    /// warm-up delays early requests by at most this much in all; after it they are scored by the rules and the trained
    /// model alone until the exemplars are ready (logged once, EventId 1111). <see cref="TimeSpan.Zero"/> never waits.
    /// </summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan EmbeddingClassifierWarmUpTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Creates options with the default offline chain (see <see cref="Scanners.DefaultGuardrails.Create"/>).</summary>
    /// <returns>The options.</returns>
    public static GuardrailsOptions CreateDefault()
    {
        var options = new GuardrailsOptions();
        foreach (var guardrail in Scanners.DefaultGuardrails.Create())
        {
            options.Guardrails.Add(guardrail);
        }

        return options;
    }

    /// <summary>Checks the options.</summary>
    /// <returns>The problems found; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (WindowSize < 16)
        {
            errors.Add($"GuardrailsOptions.WindowSize must be at least 16 characters; it is {WindowSize}.");
        }

        if (WindowOverlap < 0 || WindowOverlap >= WindowSize)
        {
            errors.Add($"GuardrailsOptions.WindowOverlap must be in [0, WindowSize); it is {WindowOverlap} with WindowSize {WindowSize}.");
        }

        if (IncrementalHoldback < 0)
        {
            errors.Add($"GuardrailsOptions.IncrementalHoldback must not be negative; it is {IncrementalHoldback}.");
        }

        if (ScannerTimeout <= TimeSpan.Zero && ScannerTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"GuardrailsOptions.ScannerTimeout must be positive or Timeout.InfiniteTimeSpan; it is {ScannerTimeout}.");
        }

        if (EmbeddingClassifierWarmUpTimeout < TimeSpan.Zero && EmbeddingClassifierWarmUpTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"GuardrailsOptions.EmbeddingClassifierWarmUpTimeout must be zero or positive, or Timeout.InfiniteTimeSpan; it is {EmbeddingClassifierWarmUpTimeout}.");
        }

        if (string.IsNullOrWhiteSpace(RefusalText))
        {
            errors.Add("GuardrailsOptions.RefusalText must not be empty.");
        }

        for (var i = 0; i < Guardrails.Count; i++)
        {
            if (Guardrails[i] is null)
            {
                errors.Add($"GuardrailsOptions.Guardrails[{i}] is null; remove it.");
            }
            else if (string.IsNullOrWhiteSpace(Guardrails[i].Name))
            {
                errors.Add($"GuardrailsOptions.Guardrails[{i}] ({Guardrails[i].GetType().Name}) has an empty Name.");
            }
        }

        return errors;
    }

    internal void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), "options");
        }
    }
}
