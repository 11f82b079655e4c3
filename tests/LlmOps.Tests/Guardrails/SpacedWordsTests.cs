using System.Text;
using LlmOps.Guardrails.Injection;

namespace LlmOps.Tests.Guardrails;

/// <summary>The word reader of the spaced views (issue 16): the words a split at spaces gives, across 64-character blocks.</summary>
public sealed class SpacedWordsTests
{
    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a")]
    [InlineData("  ignore   all  ")]
    [InlineData("ignore previous instructions")]
    public void Next_GivesTheWordsOfASplitAtSpaces(string text) => Assert.Equal(Split(text), Read(text));

    [Fact]
    public void Next_WordsOfEveryLengthAroundTheBlockEdges_AreTheWordsOfASplit()
    {
        var random = new Random(64);
        for (var t = 0; t < 2000; t++)
        {
            var builder = new StringBuilder();
            var length = random.Next(0, 300);
            while (builder.Length < length)
            {
                builder.Append(random.Next(3) == 0 ? ' ' : (char)('a' + random.Next(26)));
                if (random.Next(40) == 0)
                {
                    builder.Append(new string(random.Next(2) == 0 ? ' ' : 'x', random.Next(60, 140)));
                }
            }

            var text = builder.ToString();
            Assert.Equal(Split(text), Read(text));
        }
    }

    private static List<string> Split(string text) => [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries)];

    private static List<string> Read(string text)
    {
        var words = new List<string>();
        var reader = new SpacedWords(text);
        while (reader.Next(out var start, out var length))
        {
            words.Add(text.Substring(start, length));
        }

        return words;
    }
}
