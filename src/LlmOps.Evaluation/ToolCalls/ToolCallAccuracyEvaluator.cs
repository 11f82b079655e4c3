using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.ToolCalls;

/// <summary>
/// Scores the tool calls a response made (every <see cref="FunctionCallContent"/> in its messages) against the
/// <see cref="ExpectedToolCallsContext"/>, with no judge. Two metrics, each 0–1:
/// <list type="bullet">
/// <item><description><b>Tool Call Accuracy</b> = |M| / max(|E|, |A|), where E are the expected calls, A the calls
/// made, and M a largest one-to-one matching between them (order-insensitive) in which an expected call matches a call
/// with the same name (ordinal) and, unless the expected arguments are <see langword="null"/>, JSON-equal arguments.
/// JSON equality: objects have the same property names with equal values, in any order; arrays are equal element by
/// element, in order; numbers are equal by value (<c>1</c> equals <c>1.0</c>); strings, booleans and null compare
/// exactly. A call made with no arguments has the arguments <c>{}</c>.</description></item>
/// <item><description><b>Tool Name Accuracy</b>: the same with names only, which separates a wrong tool from wrong
/// arguments.</description></item>
/// </list>
/// Both are 1 when no call is expected and none is made; a missing call and an extra call both lower them. The
/// metadata lists the expected calls that were not made (<c>missing</c>) and the calls made that were not expected
/// (<c>unexpected</c>), separated by <c> | </c>. Without an <see cref="ExpectedToolCallsContext"/> the metrics carry
/// an error diagnostic and no value. Thread-safe.
/// </summary>
public sealed class ToolCallAccuracyEvaluator : IEvaluator
{
    /// <summary>The name of the metric that checks names and arguments.</summary>
    public const string ToolCallAccuracyMetricName = "Tool Call Accuracy";

    /// <summary>The name of the metric that checks names only.</summary>
    public const string ToolNameAccuracyMetricName = "Tool Name Accuracy";

    private readonly double _passThreshold;

    /// <summary>Initializes a new instance of the <see cref="ToolCallAccuracyEvaluator"/> class.</summary>
    /// <param name="passThreshold">The score (0–1) below which a metric is interpreted as failed. The default is 1: every call right.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="passThreshold"/> is outside 0–1.</exception>
    public ToolCallAccuracyEvaluator(double passThreshold = 1)
    {
        EvaluatorSupport.ValidateThreshold(passThreshold, 1, nameof(passThreshold));
        _passThreshold = passThreshold;
    }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> EvaluationMetricNames { get; } = [ToolCallAccuracyMetricName, ToolNameAccuracyMetricName];

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
        if (ExpectedToolCallsContext.Find(additionalContext) is not { } context)
        {
            const string Message = $"{nameof(ToolCallAccuracyEvaluator)} needs the expected calls: pass an {nameof(ExpectedToolCallsContext)} in additionalContext (a dataset item's \"expected_tool_calls\").";
            return new(EvaluatorSupport.Error(EvaluationMetricNames, Message));
        }

        IReadOnlyList<ExpectedToolCall> expected = context.Calls;
        var made = new List<FunctionCallContent>();
        foreach (ChatMessage message in modelResponse.Messages)
        {
            foreach (AIContent content in message.Contents)
            {
                if (content is FunctionCallContent call)
                {
                    made.Add(call);
                }
            }
        }

        JsonElement?[] arguments = [.. made.Select(ArgumentsOf)];
        int[] full = Match(expected.Count, made.Count, (e, a) => NameMatches(expected[e], made[a]) && (expected[e].Arguments is not { } want || (arguments[a] is { } got && JsonEquality.Equal(want, got))));
        int[] byName = Match(expected.Count, made.Count, (e, a) => NameMatches(expected[e], made[a]));

        NumericMetric callMetric = Metric(ToolCallAccuracyMetricName, full, expected.Count, made.Count, "name and arguments");
        callMetric.AddOrUpdateMetadata("missing", string.Join(" | ", expected.Where((_, e) => Array.IndexOf(full, e) < 0).Select(c => c.ToString())));
        var unexpected = new List<string>();
        for (int a = 0; a < made.Count; a++)
        {
            if (full[a] < 0)
            {
                unexpected.Add($"{made[a].Name}({(arguments[a] is { } json ? JsonEquality.Compact(json) : "?")})");
            }
        }

        callMetric.AddOrUpdateMetadata("unexpected", string.Join(" | ", unexpected));
        NumericMetric nameMetric = Metric(ToolNameAccuracyMetricName, byName, expected.Count, made.Count, "name");
        return new(new EvaluationResult(callMetric, nameMetric));
    }

    private NumericMetric Metric(string name, int[] matchOfMade, int expected, int made, string what)
    {
        int matched = matchOfMade.Count(m => m >= 0);
        int denominator = Math.Max(expected, made);
        double score = denominator == 0 ? 1 : (double)matched / denominator;
        return EvaluatorSupport.Metric(
            name,
            score,
            1,
            _passThreshold,
            string.Create(CultureInfo.InvariantCulture, $"{matched} of {expected} expected calls made with the right {what}; {made} calls made."));
    }

    private static bool NameMatches(ExpectedToolCall expected, FunctionCallContent made) =>
        string.Equals(expected.Name, made.Name, StringComparison.Ordinal);

    /// <summary>The call's arguments as a JSON object (<c>{}</c> for none); <see langword="null"/> when a value cannot be written as JSON.</summary>
    private static JsonElement? ArgumentsOf(FunctionCallContent call)
    {
        try
        {
            return JsonSerializer.SerializeToElement(
                call.Arguments ?? new Dictionary<string, object?>(),
                AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// A largest one-to-one matching between expected calls and calls made (Kuhn's augmenting paths; lists are short).
    /// Returns, per call made, the index of the expected call it is matched to, or -1.
    /// </summary>
    private static int[] Match(int expected, int made, Func<int, int, bool> matches)
    {
        int[] matchOfMade = new int[made];
        Array.Fill(matchOfMade, -1);
        bool[] visited = new bool[made];
        for (int e = 0; e < expected; e++)
        {
            Array.Clear(visited);
            TryAssign(e);
        }

        return matchOfMade;

        bool TryAssign(int e)
        {
            for (int a = 0; a < made; a++)
            {
                if (!visited[a] && matches(e, a))
                {
                    visited[a] = true;
                    if (matchOfMade[a] < 0 || TryAssign(matchOfMade[a]))
                    {
                        matchOfMade[a] = e;
                        return true;
                    }
                }
            }

            return false;
        }
    }
}
