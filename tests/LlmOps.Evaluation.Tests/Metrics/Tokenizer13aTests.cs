using LlmOps.Evaluation.Metrics;

namespace LlmOps.Evaluation.Tests.Metrics;

// Expected tokens derived by hand from the 13a rules (sacrebleu tokenizer_13a.py / tokenizer_re.py).
public class Tokenizer13aTests
{
    [Theory]
    [InlineData("The dog bit the man.", "The|dog|bit|the|man|.")]
    [InlineData("It wasn't surprising.", "It|wasn't|surprising|.")]
    [InlineData("It costs $1,000.50, or 3.5%!", "It|costs|$|1,000.50|,|or|3.5|%|!")]
    [InlineData("pages 10-12 (see \"intro\")", "pages|10|-|12|(|see|\"|intro|\"|)")]
    [InlineData("a&amp;b &lt;tag&gt; &quot;q&quot;", "a|&|b|<|tag|>|\"|q|\"")]
    [InlineData("line one-\nline two\nend", "line|oneline|two|end")]
    [InlineData("<skipped> kept", "kept")]
    [InlineData("e-mail well-known x..y", "e-mail|well-known|x|.|.|y")]
    [InlineData("  spaced\tout  \u00a0 ", "spaced|out")]
    [InlineData("", "")]
    public void Tokenize_AppliesThe13aRules(string text, string expected)
    {
        string[] tokens = expected.Length == 0 ? [] : expected.Split('|');
        Assert.Equal(tokens, Tokenizer13a.Tokenize(text));
    }

    [Fact]
    public void Tokenize_Null_Throws() => Assert.Throws<ArgumentNullException>(() => Tokenizer13a.Tokenize(null!));
}
