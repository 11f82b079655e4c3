using LlmOps.Metering;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Metering;

public class TokenCounterTests
{
    [Theory]
    [InlineData("gpt-4o", TokenEncoding.O200kBase)]
    [InlineData("gpt-4o-mini-2024-07-18", TokenEncoding.O200kBase)]
    [InlineData("o3-mini", TokenEncoding.O200kBase)]
    [InlineData("openai/gpt-4.1", TokenEncoding.O200kBase)]
    [InlineData("gpt-4-turbo", TokenEncoding.Cl100kBase)]
    [InlineData("gpt-3.5-turbo", TokenEncoding.Cl100kBase)]
    [InlineData("text-embedding-3-small", TokenEncoding.Cl100kBase)]
    [InlineData("llama-3.1-70b", TokenEncoding.O200kBase)]
    [InlineData(null, TokenEncoding.O200kBase)]
    public void GetEncoding_ModelName_MapsToEncoding(string? model, TokenEncoding expected)
        => Assert.Equal(expected, TokenCounter.GetEncoding(model));

    [Fact]
    public void CountTokens_Text_MatchesTokenizerOfTheEncoding()
    {
        var counter = new TokenCounter();
        const string text = "The quick brown fox jumps over the lazy dog. Tokenizers split text into pieces.";
        Assert.Equal(TokenCounter.GetTokenizer(TokenEncoding.O200kBase).CountTokens(text), counter.CountTokens(text, "gpt-4o"));
        Assert.Equal(TokenCounter.GetTokenizer(TokenEncoding.Cl100kBase).CountTokens(text), counter.CountTokens(text, "gpt-4"));
        Assert.Equal(0, counter.CountTokens(string.Empty));
        Assert.Throws<ArgumentNullException>(() => counter.CountTokens((string)null!));
    }

    [Fact]
    public void CountTokens_NormalText_EqualsTheRawTokenizerExactly()
    {
        var tokenizer = TokenCounter.GetTokenizer(TokenEncoding.O200kBase);
        var text = string.Concat(Enumerable.Repeat(
            "The quarterly report shows steady growth; see https://example.com/reports/2024/q3/summary?region=emea&format=pdf for details.\n"
            + "    public static int Add(int a, int b) => a + b; // C# in a prompt\n"
            + "Ünïcödé, 日本語のテキスト, and emoji 😀 are counted too.\n\n", 60));
        var cuts = new List<int>();

        Assert.Equal(tokenizer.CountTokens(text), TokenCounter.CountLinear(tokenizer, text, cuts));
        Assert.Empty(cuts);
        Assert.Equal(tokenizer.CountTokens(text), new TokenCounter().CountTokens(text, "gpt-4o"));
    }

    [Theory]
    [InlineData("plain prose", "", 0)]
    [InlineData("a solid run", "a", 300)]
    [InlineData("an ASCII blank run", " ", 300)]
    [InlineData("an ideographic-space run", "\u3000", 300)]
    [InlineData("a no-break-space run", "\u00A0", 200)]
    [InlineData("a newline run", "\n", 150)]
    public void CountTokens_StringAndSpan_AgreeWithTheCutCount(string kind, string unit, int repeat)
    {
        // The string overload hands prose to the tokenizer's string path and long runs to the cutting path; the
        // span overload always goes through the cutting path's pre-check. Both must give the same count.
        var tokenizer = TokenCounter.GetTokenizer(TokenEncoding.O200kBase);
        var counter = new TokenCounter();
        var text = "The quarterly report shows steady growth in every region. " + string.Concat(Enumerable.Repeat(unit, repeat)) + " Next quarter we focus on reliability.";

        var expected = TokenCounter.CountLinear(tokenizer, text);

        Assert.True(expected > 0, kind);
        Assert.Equal(expected, counter.CountTokens(text, "gpt-4o"));
        Assert.Equal(expected, counter.CountTokens(text.AsSpan(), "gpt-4o"));
    }

    [Theory]
    [InlineData("a")]
    [InlineData(" ")]
    [InlineData("😀")]
    public void CountTokens_LongRun_CutIntoBoundedPiecesBeforeTheBpe(string unit)
    {
        // One run of 200,000 characters (quadratic in one BPE piece) between two sentences.
        var run = string.Concat(Enumerable.Repeat(unit, 200_000 / unit.Length));
        var text = "Before the run. " + run + " After the run.";
        var cuts = new List<int>();

        var count = TokenCounter.CountLinear(TokenCounter.GetTokenizer(TokenEncoding.O200kBase), text, cuts);

        Assert.True(count > 0);
        Assert.InRange(cuts.Count, (run.Length / TokenCounter.MaxRunLength) - 2, (run.Length / TokenCounter.MaxRunLength) + 2);
        var previous = 0;
        foreach (var cut in cuts)
        {
            Assert.InRange(cut - previous, 1, TokenCounter.MaxRunLength + 16);
            Assert.False(char.IsLowSurrogate(text[cut])); // never splits a surrogate pair
            previous = cut;
        }
    }

    [Fact]
    public void CountTokens_LongBlobInProse_WithinOnePercentOfExact()
    {
        var random = new Random(5);
        var blob = Convert.ToBase64String(Enumerable.Range(0, 3000).Select(_ => (byte)random.Next(256)).ToArray());
        var text = string.Concat(Enumerable.Repeat("The attachment below is the signed contract, encoded for transport. ", 40)) + blob + " End of attachment.";
        var tokenizer = TokenCounter.GetTokenizer(TokenEncoding.O200kBase);
        var exact = tokenizer.CountTokens(text);
        var cuts = new List<int>();

        var count = TokenCounter.CountLinear(tokenizer, text, cuts);

        Assert.NotEmpty(cuts);
        Assert.InRange(Math.Abs(count - exact), 0, exact / 100);
    }

    [Fact]
    public void CountTokens_Chat_AddsPerMessageOverheadAndReplyPriming()
    {
        var counter = new TokenCounter();
        var messages = new[] { new ChatMessage(ChatRole.System, "You are helpful."), new ChatMessage(ChatRole.User, "Hello there") { AuthorName = "bob" } };
        var tok = TokenCounter.GetTokenizer(TokenEncoding.O200kBase);
        var expected = TokenCounter.ReplyPrimingTokens
            + TokenCounter.PerMessageOverhead + tok.CountTokens("system") + tok.CountTokens("You are helpful.")
            + TokenCounter.PerMessageOverhead + tok.CountTokens("user") + tok.CountTokens("Hello there") + TokenCounter.PerNameOverhead + tok.CountTokens("bob");

        Assert.Equal(expected, counter.CountTokens(messages, "gpt-4o"));
    }

    [Fact]
    public void CountTokens_MessageEditedAfterCounting_RecountsNewContent()
    {
        var counter = new TokenCounter();
        var message = new ChatMessage(ChatRole.User, "short");
        var first = counter.CountTokens(message);
        message.Contents = [new TextContent("a much longer text than before, with many more tokens in it")];

        Assert.True(counter.CountTokens(message) > first);
        Assert.Equal(first, counter.CountTokens(new ChatMessage(ChatRole.User, "short")));
    }

    [Fact]
    public async Task CountTokens_ConcurrentCallers_AgreeWithSequentialCount()
    {
        var counter = new TokenCounter();
        var history = Enumerable.Range(0, 50).Select(i => new ChatMessage(i % 2 == 0 ? ChatRole.User : ChatRole.Assistant, $"message number {i} with some text")).ToList();
        var expected = new TokenCounter().CountTokens(history);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => counter.CountTokens(history))));

        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
