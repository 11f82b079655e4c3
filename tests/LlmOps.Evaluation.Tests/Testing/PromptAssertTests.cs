using LlmOps.Evaluation.Testing;
using LlmOps.Testing;
using Microsoft.Extensions.AI;

namespace LlmOps.Evaluation.Tests.Testing;

public class PromptAssertTests
{
    private static ScriptedChatClient Sequence(params string[] answers)
    {
        int next = 0;
        return new ScriptedChatClient().Otherwise((_, _) => ScriptedResponse.FromText(answers[(Interlocked.Increment(ref next) - 1) % answers.Length]));
    }

    [Fact]
    public async Task Satisfies_EnoughRunsPass_ReturnsTheValues()
    {
        using ScriptedChatClient client = Sequence("The dog bit the man.", "The dog bit the man.", "A cat.");

        IReadOnlyList<double?> values = await PromptAssert.That(client, "Who bit whom?")
            .SatisfiesAsync(new RougeEvaluator(), RougeEvaluator.RougeLMetricName, minimum: 0.8, runs: 3, requiredPasses: 2, context: [new ReferenceContext("The dog bit the man.")]);

        Assert.Equal(3, values.Count);
        Assert.Equal(1.0, values[0]);
        Assert.Equal(0.0, values[2]);
        Assert.Equal(3, client.CallCount);
    }

    [Fact]
    public async Task Satisfies_TooFewPasses_ThrowsWithEveryRun()
    {
        using ScriptedChatClient client = Sequence("The dog bit the man.", "A cat.");

        PromptAssertionException e = await Assert.ThrowsAsync<PromptAssertionException>(() => PromptAssert.That(client, "Who bit whom?")
            .SatisfiesAsync(new RougeEvaluator(), RougeEvaluator.RougeLMetricName, minimum: 0.8, runs: 4, context: [new ReferenceContext("The dog bit the man.")]));

        Assert.Contains("Expected at least 4 of 4 runs", e.Message, StringComparison.Ordinal);
        Assert.Contains("but 2 passed", e.Message, StringComparison.Ordinal);
        Assert.Contains("run 2: ROUGE-L = 0 FAIL; response: A cat.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Satisfies_EvaluationError_CountsAsAFailedRun()
    {
        using ScriptedChatClient client = Sequence("anything");

        PromptAssertionException e = await Assert.ThrowsAsync<PromptAssertionException>(() => PromptAssert.That(client, "q")
            .SatisfiesAsync(new BleuEvaluator(), BleuEvaluator.BleuMetricName, minimum: 0));

        Assert.Contains("ReferenceContext", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Satisfies_Predicate()
    {
        using ScriptedChatClient client = Sequence("{\"ok\": true}", "not json");

        await PromptAssert.That(client, "json please").SatisfiesAsync(r => r.Text.StartsWith('{'), "starts with {", runs: 2, requiredPasses: 1);
        await Assert.ThrowsAsync<PromptAssertionException>(() => PromptAssert.That(client, "json please").SatisfiesAsync(r => r.Text.StartsWith('{'), "starts with {", runs: 2));
    }

    [Fact]
    public async Task Satisfies_InvalidRuns_Throw()
    {
        using ScriptedChatClient client = Sequence("x");
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => PromptAssert.That(client, "q").SatisfiesAsync(_ => true, "d", runs: 2, requiredPasses: 3));
        Assert.Throws<ArgumentNullException>(() => PromptAssert.That(null!, "q"));
    }
}
