using System.Globalization;
using System.Text;
using LlmOps.Metering;
using LlmOps.Routing;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Routing;

/// <summary>
/// Pins the complexity scorer's decisions and features, so that making it faster cannot change what it decides: every row
/// of <c>data/routing/complexity.tsv</c> plus texts aimed at the matcher's edges (cues at the ends, overlapping cues,
/// repeats past a feature's cap, mixed case, inline turns, non-ASCII) must give exactly the features pinned in
/// <c>Routing/Fixtures/complexity-features.tsv</c>, written by the scorer as it was before it was optimised.
/// </summary>
public class ComplexityScorerPinTests
{
    private const string FixtureName = "complexity-features.tsv";

    /// <summary>The 2 KB request of <c>RoutingBenchmark.Scorer2Kb</c>.</summary>
    private static readonly string Review2Kb = string.Concat(Enumerable.Repeat(
        "Please review the following design and explain the trade-offs of the caching layer, then list three risks. ", 20))[..2048];

    [Theory]
    [InlineData("What is the capital of Australia?", "Small", 0.9933)]
    [InlineData("Translate \"good night\" into German.", "Small", 0.9413)]
    [InlineData("Explain how vaccines train the immune system, for a teenager.", "Medium", 0.8669)]
    [InlineData("Write a short friendly message to my team about Friday's outage.", "Medium", 0.9899)]
    [InlineData("Design a distributed rate limiter, implement it in Go with tests, and analyse its failure modes step by step.", "Large", 0.9998)]
    [InlineData("Prove that the square root of 2 is irrational.", "Large", 0.9422)]
    [InlineData("DESIGN a THREAD-SAFE cache; explain the TRADE-OFFS.", "Large", 0.9931)]
    public void Score_FixedTexts_GiveThePinnedTierAndProbability(string text, string tier, double probability)
    {
        var score = new ComplexityScorer().Score([new ChatMessage(ChatRole.User, text)]);

        Assert.Equal(new ModelTier(tier), score.Tier);
        Assert.Equal(probability, Math.Max(score.Small, Math.Max(score.Medium, score.Large)), 4);
    }

    [Fact]
    public void Score_Review2Kb_GivesThePinnedTierAndProbability()
    {
        var score = new ComplexityScorer().Score([new ChatMessage(ChatRole.System, "You are a careful reviewer."), new ChatMessage(ChatRole.User, Review2Kb)]);

        Assert.Equal(ModelTier.Large, score.Tier);
        Assert.Equal(1.0, score.Large, 4);
    }

    [Fact]
    public void Extract_LabelledSetAndEdgeTexts_GiveExactlyThePinnedFeatures()
    {
        var actual = Cases().Select(static c => Line(c.Name, c.Messages, c.Options)).ToList();
        if (Environment.GetEnvironmentVariable("LLMOPS_WRITE_PINS") == "1")
        {
            // Run once by hand to (re)write the pins from the scorer as it is; commit the file with the reason.
            File.WriteAllLines(Path.Combine(SourceDirectory(), "Fixtures", FixtureName), actual);
            return;
        }

        var expected = File.ReadAllLines(FixturePath()).Where(static l => l.Length > 0).ToList();

        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < actual.Count; i++)
        {
            Assert.True(expected[i] == actual[i], $"Features changed for case {i}.\nPinned: {expected[i]}\nNow:    {actual[i]}");
        }
    }

    private static IEnumerable<(string Name, IReadOnlyList<ChatMessage> Messages, ChatOptions? Options)> Cases()
    {
        var rows = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "data", "routing", "complexity.tsv")).Skip(1).Where(static l => l.Length > 0);
        var n = 0;
        foreach (var row in rows)
        {
            yield return ($"row{++n}", [new ChatMessage(ChatRole.User, row.Split('\t')[2])], null);
        }

        string[] edges =
        [
            string.Empty,
            "design",
            "x design",
            "designdesigndesigndesigndesign",
            "improve the proof: prove it, prove it again, prove it once more, and prove it twice",
            "Step by step: 1. first, 2. then 3. finally 4. and then each step in order for each item, as well as more",
            "json table yaml csv schema markdown xml bullet",
            "```python\ndef f(x):\n    return x => x + 1;\n```",
            "Compute 3 + 4 = 7 and 2 * 5 = 10 / 2; solve the equation, calculate the integral.",
            "earlier question || earlier answer || What is the capital of France?",
            "||||||",
            "   what is the time?",
            "İSTANBUL ŞEHİR DESİGN K KELVIN ſtory ÅNGSTRÖM",
            "no cues here at all, just plain words about the weather and the garden",
            "yes or no? true or false? one word. briefly. just tell me.",
            Review2Kb,
            string.Concat(Enumerable.Repeat("a", 5000)),
            string.Concat(Enumerable.Repeat("What is the API schema? ", 200)),
        ];
        foreach (var edge in edges)
        {
            yield return ($"edge{++n}", [new ChatMessage(ChatRole.User, edge)], null);
        }

        yield return ("system+turns", [new(ChatRole.System, "You are a careful reviewer."), new(ChatRole.User, "hi"), new(ChatRole.Assistant, "hello"), new(ChatRole.User, Review2Kb)], null);
        yield return ("json+tools", [new ChatMessage(ChatRole.User, "Return the user as an object.")], new ChatOptions { ResponseFormat = ChatResponseFormat.Json, Tools = [AIFunctionFactory.Create(() => 1, "one")] });
        yield return ("no user", [new ChatMessage(ChatRole.System, "system only")], null);
    }

    private static string Line(string name, IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        Span<float> x = stackalloc float[ComplexityFeatures.Count];
        ComplexityFeatures.Extract(messages, options, x);
        var line = new StringBuilder(name);
        foreach (var f in x)
        {
            line.Append('\t').Append(f.ToString("R", CultureInfo.InvariantCulture));
        }

        var score = new ComplexityScorer().Score(messages, options);
        return line.Append('\t').Append(score.Tier.Name).ToString();
    }

    private static string FixturePath() => Path.Combine(AppContext.BaseDirectory, "Routing", "Fixtures", FixtureName);

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
