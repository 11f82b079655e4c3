using System.Text.Json;
using LlmOps.Evaluation.ToolCalls;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace LlmOps.Evaluation.Tests.ToolCalls;

public class ToolCallAccuracyEvaluatorTests
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "Weather in Paris and Rome?")];

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static ExpectedToolCall Expect(string name, string? arguments = null) => new(name, arguments is null ? null : Json(arguments));

    private static FunctionCallContent Call(string name, string? arguments = null) =>
        new(Guid.NewGuid().ToString("N"), name, arguments is null ? null : Json(arguments).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value));

    private static ChatResponse Made(params FunctionCallContent[] calls) => new(new ChatMessage(ChatRole.Assistant, [.. calls]));

    private static async Task<(NumericMetric Calls, NumericMetric Names)> ScoreAsync(ChatResponse response, params ExpectedToolCall[] expected)
    {
        EvaluationResult result = await new ToolCallAccuracyEvaluator().EvaluateAsync(Question, response, additionalContext: [new ExpectedToolCallsContext(expected)]);
        return (result.Get<NumericMetric>(ToolCallAccuracyEvaluator.ToolCallAccuracyMetricName), result.Get<NumericMetric>(ToolCallAccuracyEvaluator.ToolNameAccuracyMetricName));
    }

    [Fact]
    public async Task Evaluate_SameCallsInAnotherOrder_AreAllRight()
    {
        (NumericMetric calls, NumericMetric names) = await ScoreAsync(
            Made(Call("weather", "{\"city\": \"Rome\"}"), Call("weather", "{\"city\": \"Paris\"}")),
            Expect("weather", "{\"city\": \"Paris\"}"),
            Expect("weather", "{\"city\": \"Rome\"}"));

        Assert.Equal(1, calls.Value);
        Assert.Equal(1, names.Value);
        Assert.False(calls.Interpretation!.Failed);
        Assert.Equal(string.Empty, calls.Metadata!["missing"]);
        Assert.Equal(string.Empty, calls.Metadata["unexpected"]);
    }

    [Fact]
    public async Task Evaluate_WrongArgument_CountsAgainstCallsButNotNames()
    {
        (NumericMetric calls, NumericMetric names) = await ScoreAsync(
            Made(Call("weather", "{\"city\": \"Paris\"}"), Call("weather", "{\"city\": \"Milan\"}")),
            Expect("weather", "{\"city\": \"Paris\"}"),
            Expect("weather", "{\"city\": \"Rome\"}"));

        Assert.Equal(0.5, calls.Value);
        Assert.True(calls.Interpretation!.Failed);
        Assert.Equal(1, names.Value);
        Assert.Equal("weather({\"city\":\"Rome\"})", calls.Metadata!["missing"]);
        Assert.Equal("weather({\"city\":\"Milan\"})", calls.Metadata["unexpected"]);
    }

    [Fact]
    public async Task Evaluate_AnExtraOrAMissingCall_LowersBoth()
    {
        (NumericMetric extra, NumericMetric extraNames) = await ScoreAsync(
            Made(Call("weather", "{\"city\": \"Paris\"}"), Call("weather", "{\"city\": \"Rome\"}"), Call("send_email", "{}")),
            Expect("weather", "{\"city\": \"Paris\"}"),
            Expect("weather", "{\"city\": \"Rome\"}"));
        (NumericMetric missing, _) = await ScoreAsync(
            Made(Call("weather", "{\"city\": \"Paris\"}")),
            Expect("weather", "{\"city\": \"Paris\"}"),
            Expect("weather", "{\"city\": \"Rome\"}"));

        Assert.Equal(2.0 / 3, extra.Value!.Value, 12);
        Assert.Equal(2.0 / 3, extraNames.Value!.Value, 12);
        Assert.Equal("send_email({})", extra.Metadata!["unexpected"]);
        Assert.Equal(0.5, missing.Value);
    }

    [Fact]
    public async Task Evaluate_ExpectedWithoutArguments_MatchesAnyArguments()
    {
        (NumericMetric calls, _) = await ScoreAsync(Made(Call("search", "{\"q\": \"anything\", \"k\": 5}")), Expect("search"));

        Assert.Equal(1, calls.Value);
    }

    [Fact]
    public async Task Evaluate_FindsTheLargestMatching_NotTheFirstGreedyOne()
    {
        // Greedy in expected order pairs f(*) with f(x=1) and leaves f(x=1) unmatched (0.5); the best pairing gets both.
        (NumericMetric calls, _) = await ScoreAsync(
            Made(Call("f", "{\"x\": 1}"), Call("f", "{\"x\": 2}")),
            Expect("f"),
            Expect("f", "{\"x\": 1}"));

        Assert.Equal(1, calls.Value);
    }

    [Theory]
    [InlineData("{\"a\": 1, \"b\": [1, 2]}", "{\"b\": [1, 2], \"a\": 1.0}", true)]
    [InlineData("{\"a\": {\"x\": 1, \"y\": null}}", "{\"a\": {\"y\": null, \"x\": 1}}", true)]
    [InlineData("{\"b\": [1, 2]}", "{\"b\": [2, 1]}", false)]
    [InlineData("{\"a\": 1}", "{\"a\": \"1\"}", false)]
    [InlineData("{\"a\": 1}", "{\"a\": 1, \"b\": 2}", false)]
    [InlineData("{\"a\": 1, \"b\": 2}", "{\"a\": 1}", false)]
    [InlineData("{\"a\": \"Paris\"}", "{\"a\": \"paris\"}", false)]
    [InlineData("{\"a\": true}", "{\"a\": false}", false)]
    [InlineData("{}", "{}", true)]
    public async Task Evaluate_ArgumentsCompareAsJson(string expected, string made, bool equal)
    {
        (NumericMetric calls, _) = await ScoreAsync(Made(Call("f", made)), Expect("f", expected));

        Assert.Equal(equal ? 1 : 0, calls.Value);
    }

    [Fact]
    public async Task Evaluate_ArgumentsAsDotNetValues_CompareWithTheExpectedJson()
    {
        var call = new FunctionCallContent("1", "book", new Dictionary<string, object?> { ["seats"] = 2, ["city"] = "Paris", ["window"] = true, ["note"] = null });

        (NumericMetric calls, _) = await ScoreAsync(Made(call), Expect("book", "{\"city\": \"Paris\", \"seats\": 2.0, \"window\": true, \"note\": null}"));
        (NumericMetric noArguments, _) = await ScoreAsync(Made(new FunctionCallContent("2", "ping")), Expect("ping", "{}"));

        Assert.Equal(1, calls.Value);
        Assert.Equal(1, noArguments.Value);
    }

    [Fact]
    public async Task Evaluate_NoCallExpected_NoneMadeIsRight_OneMadeIsWrong()
    {
        (NumericMetric none, _) = await ScoreAsync(new ChatResponse(new ChatMessage(ChatRole.Assistant, "It is sunny.")));
        (NumericMetric one, NumericMetric oneNames) = await ScoreAsync(Made(Call("weather", "{\"city\": \"Paris\"}")));

        Assert.Equal(1, none.Value);
        Assert.Equal(0, one.Value);
        Assert.Equal(0, oneNames.Value);
    }

    [Fact]
    public async Task Evaluate_CountsCallsInEveryResponseMessage()
    {
        var response = new ChatResponse(
        [
            new ChatMessage(ChatRole.Assistant, [Call("weather", "{\"city\": \"Paris\"}")]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("x", "sunny")]),
            new ChatMessage(ChatRole.Assistant, [Call("weather", "{\"city\": \"Rome\"}")]),
            new ChatMessage(ChatRole.Assistant, "Sunny in both."),
        ]);

        (NumericMetric calls, _) = await ScoreAsync(response, Expect("weather", "{\"city\": \"Rome\"}"), Expect("weather", "{\"city\": \"Paris\"}"));

        Assert.Equal(1, calls.Value);
    }

    [Fact]
    public async Task Evaluate_WithoutExpectedCalls_IsAnErrorOnBothMetrics()
    {
        EvaluationResult result = await new ToolCallAccuracyEvaluator().EvaluateAsync(Question, Made(Call("f")));

        Assert.All(result.Metrics.Values, m =>
        {
            Assert.Null(((NumericMetric)m).Value);
            Assert.Contains(nameof(ExpectedToolCallsContext), Assert.Single(m.Diagnostics!).Message, StringComparison.Ordinal);
        });
        Assert.Equal(2, result.Metrics.Count);
    }

    [Fact]
    public async Task PassThreshold_DecidesTheInterpretation()
    {
        EvaluationResult result = await new ToolCallAccuracyEvaluator(passThreshold: 0.5).EvaluateAsync(
            Question, Made(Call("f", "{\"x\": 1}")), additionalContext: [new ExpectedToolCallsContext(Expect("f", "{\"x\": 1}"), Expect("g"))]);

        Assert.False(result.Get<NumericMetric>(ToolCallAccuracyEvaluator.ToolCallAccuracyMetricName).Interpretation!.Failed);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void Constructor_ThresholdOutsideZeroToOne_Throws(double threshold) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ToolCallAccuracyEvaluator(threshold));

    [Fact]
    public void ExpectedToolCall_RejectsNonObjectArgumentsAndEmptyNames()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ExpectedToolCall("f", Json("[1]")));
        Assert.Contains("must be a JSON object", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ExpectedToolCall(" "));
        Assert.Equal("f(*)", new ExpectedToolCall("f").ToString());
    }

    [Fact]
    public void Context_ShowsEachExpectedCallAsAFunctionCall()
    {
        var context = new ExpectedToolCallsContext(Expect("weather", "{\"city\": \"Paris\"}"), Expect("search"));

        FunctionCallContent[] contents = [.. context.Contents.Cast<FunctionCallContent>()];
        Assert.Equal(["weather", "search"], contents.Select(c => c.Name));
        Assert.Equal("Paris", ((JsonElement)contents[0].Arguments!["city"]!).GetString());
        Assert.Null(contents[1].Arguments);
    }
}
