using System.Globalization;
using LlmOps.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Rag;

/// <summary>
/// Offline groundedness with no judge: the grounding stage's support score (<see cref="GroundednessScorer"/>) applied
/// to the response against the <see cref="RetrievedContext"/>. The response is split into sentences the way the
/// grounding stage splits an answer (<c>[n]</c> citation markers are read and removed); a sentence that cites chunks
/// is scored against those chunks, one that cites none against the best of all chunks, and it is supported when its
/// support reaches the minimum. The score is supported sentences / sentences (0–1), the same figure as
/// <c>GroundingResult.GroundedFraction</c>. The unsupported sentences are in the metric's metadata
/// (<c>unsupported</c>, separated by <c> | </c>), with every sentence's support (<c>support</c>).
/// </summary>
/// <remarks>
/// Lexical support is fast and deterministic but cannot see a swapped relation between terms that both occur; use
/// <see cref="FaithfulnessEvaluator"/> (an LLM judge) for that. A missing <see cref="RetrievedContext"/> or a response
/// with no sentence gives an error diagnostic and no value. Thread-safe.
/// </remarks>
public sealed class GroundednessEvaluator : IEvaluator
{
    /// <summary>The metric's name.</summary>
    public const string GroundednessMetricName = "Groundedness";

    private readonly GroundednessScorer _scorer;
    private readonly double _minSupport;
    private readonly double _passThreshold;

    /// <summary>Initializes a new instance of the <see cref="GroundednessEvaluator"/> class.</summary>
    /// <param name="minSupport">The support (0–1) a sentence needs to count as supported. The default is 0.6, the grounding stage's <see cref="GroundingOptions.MinSupport"/>.</param>
    /// <param name="passThreshold">The grounded fraction (0–1) below which the metric is interpreted as failed. The default is 1: every sentence supported.</param>
    /// <param name="scorer">The scorer; <see langword="null"/> for <see cref="GroundednessScorer.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minSupport"/> or <paramref name="passThreshold"/> is outside 0–1.</exception>
    public GroundednessEvaluator(double minSupport = 0.6, double passThreshold = 1, GroundednessScorer? scorer = null)
    {
        EvaluatorSupport.ValidateThreshold(minSupport, 1, nameof(minSupport));
        EvaluatorSupport.ValidateThreshold(passThreshold, 1, nameof(passThreshold));
        _minSupport = minSupport;
        _passThreshold = passThreshold;
        _scorer = scorer ?? GroundednessScorer.Default;
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> EvaluationMetricNames { get; } = [GroundednessMetricName];

    /// <inheritdoc/>
    public ValueTask<EvaluationResult> EvaluateAsync(
        IEnumerable<ChatMessage> messages,
        ChatResponse modelResponse,
        ChatConfiguration? chatConfiguration = null,
        IEnumerable<EvaluationContext>? additionalContext = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(modelResponse);
        cancellationToken.ThrowIfCancellationRequested();
        if (RetrievedContext.Find(additionalContext) is not { } context)
        {
            return new(EvaluatorSupport.Error(GroundednessMetricName, $"{nameof(GroundednessEvaluator)} needs the retrieved chunks: pass a {nameof(RetrievedContext)} in additionalContext."));
        }

        IReadOnlyList<string> chunks = context.Chunks;
        List<(string Text, List<int> Citations)> sentences = CitationParser.Parse(modelResponse.Text, chunks.Count);
        if (sentences.Count == 0)
        {
            return new(EvaluatorSupport.Error(GroundednessMetricName, "The response has no sentence, so groundedness is undefined."));
        }

        var unsupported = new List<string>();
        var supports = new List<string>(sentences.Count);
        foreach ((string text, List<int> citations) in sentences)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IEnumerable<string> against = citations.Count > 0 ? citations.Select(n => chunks[n - 1]) : chunks;
            double support = _scorer.Support(text, against);
            supports.Add(support.ToString("0.####", CultureInfo.InvariantCulture));
            if (support < _minSupport)
            {
                unsupported.Add(text);
            }
        }

        int supported = sentences.Count - unsupported.Count;
        NumericMetric metric = EvaluatorSupport.Metric(
            GroundednessMetricName,
            (double)supported / sentences.Count,
            1,
            _passThreshold,
            string.Create(CultureInfo.InvariantCulture, $"{supported} of {sentences.Count} sentences reach the support {_minSupport:0.##} in the retrieved context."));
        metric.AddOrUpdateMetadata("unsupported", string.Join(" | ", unsupported));
        metric.AddOrUpdateMetadata("support", string.Join(",", supports));
        return new(new EvaluationResult(metric));
    }
}
