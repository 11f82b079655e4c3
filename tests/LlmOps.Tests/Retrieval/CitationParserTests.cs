using LlmOps.Retrieval;

namespace LlmOps.Tests.Retrieval;

public sealed class CitationParserTests
{
    [Fact]
    public void MarkerBeforeTheFullStop_LeavesNoSpaceBeforeIt()
    {
        var sentences = CitationParser.Parse("Large models get a discount at night [1]. Small ones do not [2], ever [1]!", sourceCount: 2);

        Assert.Equal(["Large models get a discount at night.", "Small ones do not, ever!"], sentences.Select(s => s.Text));
        Assert.Equal([1], sentences[0].Citations);
        Assert.Equal([2, 1], sentences[1].Citations);
    }

    [Fact]
    public void MarkerOutOfRange_StaysText()
    {
        var sentences = CitationParser.Parse("See note [7].", sourceCount: 2);

        Assert.Equal("See note [7].", Assert.Single(sentences).Text);
        Assert.Empty(sentences[0].Citations);
    }
}
