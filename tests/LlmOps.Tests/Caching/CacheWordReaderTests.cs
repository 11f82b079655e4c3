using LlmOps.Caching;

namespace LlmOps.Tests.Caching;

public sealed class CacheWordReaderTests
{
    [Fact]
    public void MoveNext_KeepsApostrophesAndDigitSeparatorsInsideWords_AndMarksSentenceStarts()
    {
        var words = Read("Don't pay 1,000.50 at 12:30. Then ask: why 'quoted', 2.x?");

        Assert.Equal(
            ["Don't||S", "pay||", "1,000.50|D|", "at||", "12:30|D|", "Then||S", "ask||", "why||S", "quoted||", "2|D|", "x||S"],
            words);
    }

    [Fact]
    public void MoveNext_SeparatorsWithoutDigitsOnBothSides_EndTheWord()
    {
        Assert.Equal(["a||S", "b||", "1|D|", "x1|D|", "end||S"], Read("a,b 1, x1.\nend"));
    }

    [Fact]
    public void MoveNext_EmptyOrPunctuationOnly_ReadsNothing()
    {
        Assert.Empty(Read(""));
        Assert.Empty(Read(" ?!... '"));
    }

    // "2.x": the full stop without a digit after it ends the word and, like any full stop, starts a sentence.
    // Each word as "text|D if it has a digit|S if it starts a sentence".
    private static List<string> Read(string text)
    {
        var result = new List<string>();
        var reader = new CacheWordReader(text);
        while (reader.MoveNext())
        {
            Assert.Equal(text.AsSpan(reader.Start, reader.End - reader.Start).ToString(), reader.Word.ToString());
            result.Add($"{reader.Word}|{(reader.HasDigit ? "D" : "")}|{(reader.AtSentenceStart ? "S" : "")}");
        }

        return result;
    }
}
