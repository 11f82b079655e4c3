using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Testing;

/// <summary>An assertion about a prompt's responses; see <see cref="PromptAssert"/>. Thread-safe when the client is.</summary>
public sealed class PromptAssertion
{
    private readonly IChatClient _client;
    private readonly IReadOnlyList<ChatMessage> _messages;
    private readonly ChatOptions? _options;

    internal PromptAssertion(IChatClient client, IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        _client = client;
        _messages = messages;
        _options = options;
    }

    /// <summary>
    /// Runs the prompt <paramref name="runs"/> times, scores each response with <paramref name="evaluator"/>, and
    /// requires at least <paramref name="requiredPasses"/> runs whose <paramref name="metricName"/> is at least
    /// <paramref name="minimum"/> (a run whose evaluation failed counts as not passing).
    /// </summary>
    /// <param name="evaluator">The evaluator.</param>
    /// <param name="metricName">The numeric metric to check.</param>
    /// <param name="minimum">The value a run must reach.</param>
    /// <param name="runs">How many times to run the prompt (k). The default is 1.</param>
    /// <param name="requiredPasses">How many runs must pass; <see langword="null"/> for all of them (pass^k).</param>
    /// <param name="context">Evaluation context (references, retrieved chunks).</param>
    /// <param name="judge">The judge configuration for LLM-judged evaluators.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The per-run values when the assertion holds.</returns>
    /// <exception cref="PromptAssertionException">Fewer runs passed than required; the message lists every run.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="runs"/> or <paramref name="requiredPasses"/> is out of range.</exception>
    public async Task<IReadOnlyList<double?>> SatisfiesAsync(
        IEvaluator evaluator,
        string metricName,
        double minimum,
        int runs = 1,
        int? requiredPasses = null,
        IEnumerable<EvaluationContext>? context = null,
        ChatConfiguration? judge = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentException.ThrowIfNullOrEmpty(metricName);
        int required = ValidateRuns(runs, requiredPasses);
        List<EvaluationContext> contexts = context is null ? [] : [.. context];
        var values = new List<double?>(runs);
        var report = new StringBuilder();
        int passes = 0;
        for (int run = 1; run <= runs; run++)
        {
            ChatResponse response = await _client.GetResponseAsync(_messages, _options?.Clone(), cancellationToken).ConfigureAwait(false);
            EvaluationResult result = await evaluator.EvaluateAsync(_messages, response, judge, contexts, cancellationToken).ConfigureAwait(false);
            double? value = result.TryGet(metricName, out NumericMetric? metric) ? metric.Value : null;
            values.Add(value);
            bool passed = value >= minimum;
            passes += passed ? 1 : 0;
            string problem = metric?.Diagnostics?.FirstOrDefault(d => d.Severity == EvaluationDiagnosticSeverity.Error)?.Message ?? (metric is null ? $"no metric named '{metricName}'" : string.Empty);
            report.Append(CultureInfo.InvariantCulture, $"  run {run}: {metricName} = {(value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "none")} {(passed ? "pass" : "FAIL")}{(problem.Length > 0 ? $" ({problem})" : string.Empty)}; response: {Shorten(response.Text)}").AppendLine();
        }

        if (passes < required)
        {
            throw new PromptAssertionException(string.Create(
                CultureInfo.InvariantCulture,
                $"Expected at least {required} of {runs} runs with {metricName} >= {minimum}, but {passes} passed.{Environment.NewLine}{report}"));
        }

        return values;
    }

    /// <summary>Runs the prompt <paramref name="runs"/> times and requires at least <paramref name="requiredPasses"/> responses that satisfy <paramref name="predicate"/>.</summary>
    /// <param name="predicate">The condition on a response.</param>
    /// <param name="description">What the condition checks, for the failure message.</param>
    /// <param name="runs">How many times to run the prompt. The default is 1.</param>
    /// <param name="requiredPasses">How many runs must pass; <see langword="null"/> for all of them.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the assertion holds.</returns>
    /// <exception cref="PromptAssertionException">Fewer runs passed than required.</exception>
    public async Task SatisfiesAsync(Func<ChatResponse, bool> predicate, string description, int runs = 1, int? requiredPasses = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentNullException.ThrowIfNull(description);
        int required = ValidateRuns(runs, requiredPasses);
        int passes = 0;
        var report = new StringBuilder();
        for (int run = 1; run <= runs; run++)
        {
            ChatResponse response = await _client.GetResponseAsync(_messages, _options?.Clone(), cancellationToken).ConfigureAwait(false);
            bool passed = predicate(response);
            passes += passed ? 1 : 0;
            report.Append(CultureInfo.InvariantCulture, $"  run {run}: {(passed ? "pass" : "FAIL")}; response: {Shorten(response.Text)}").AppendLine();
        }

        if (passes < required)
        {
            throw new PromptAssertionException($"Expected at least {required} of {runs} responses to satisfy \"{description}\", but {passes} did.{Environment.NewLine}{report}");
        }
    }

    private static int ValidateRuns(int runs, int? requiredPasses)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        int required = requiredPasses ?? runs;
        if (required < 1 || required > runs)
        {
            throw new ArgumentOutOfRangeException(nameof(requiredPasses), required, $"requiredPasses must be in [1, {runs}] (the number of runs).");
        }

        return required;
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 117), "...");
}
