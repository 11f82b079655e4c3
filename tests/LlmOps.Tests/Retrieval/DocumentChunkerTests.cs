using LlmOps.Retrieval;

namespace LlmOps.Tests.Retrieval;

public sealed class DocumentChunkerTests
{
    private static string Sentences(int count, string word = "alpha") =>
        string.Join(" ", Enumerable.Range(0, count).Select(i => $"Sentence {i} says {word} beta gamma delta epsilon."));

    [Fact]
    public void Chunk_EveryChunk_IsTheExactSpanOfTheSource()
    {
        string text = "  First paragraph. It has two sentences.\n\n" + Sentences(60) + "\r\n\r\nLast one!  ";
        var doc = new RetrievalDocument("d", text);
        IReadOnlyList<DocumentChunk> chunks = new DocumentChunker(new DocumentChunkerOptions { MaxTokens = 40, OverlapTokens = 12 }).Chunk(doc);

        Assert.True(chunks.Count > 5);
        for (int i = 0; i < chunks.Count; i++)
        {
            DocumentChunk c = chunks[i];
            Assert.Equal(i, c.Index);
            Assert.Equal(text.Substring(c.Start, c.Length), c.Text);
            Assert.Equal(c.Text.Trim(), c.Text);
            Assert.InRange(c.TokenCount, 1, 40);
        }

        Assert.StartsWith("First paragraph.", chunks[0].Text, StringComparison.Ordinal);
        Assert.EndsWith("epsilon.\r\n\r\nLast one!", chunks[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Chunk_CoversEverySentence_AndOverlapsWithWholeSentences()
    {
        string text = Sentences(30);
        var doc = new RetrievalDocument("d", text);
        IReadOnlyList<DocumentChunk> chunks = new DocumentChunker(new DocumentChunkerOptions { MaxTokens = 40, OverlapTokens = 12 }).Chunk(doc);

        // Every sentence is in some chunk, each chunk starts at a sentence start, and consecutive chunks overlap.
        for (int s = 0; s < 30; s++)
        {
            Assert.Contains(chunks, c => c.Text.Contains($"Sentence {s} says", StringComparison.Ordinal));
        }

        for (int i = 1; i < chunks.Count; i++)
        {
            Assert.StartsWith("Sentence ", chunks[i].Text, StringComparison.Ordinal);
            Assert.True(chunks[i].Start < chunks[i - 1].End, $"chunk {i} does not overlap the previous one");
            Assert.True(chunks[i].Start > chunks[i - 1].Start);
        }
    }

    [Fact]
    public void Chunk_NoOverlap_ChunksAreDisjoint()
    {
        var doc = new RetrievalDocument("d", Sentences(30));
        IReadOnlyList<DocumentChunk> chunks = new DocumentChunker(new DocumentChunkerOptions { MaxTokens = 40, OverlapTokens = 0 }).Chunk(doc);
        for (int i = 1; i < chunks.Count; i++)
        {
            Assert.True(chunks[i].Start >= chunks[i - 1].End);
        }
    }

    [Fact]
    public void Chunk_Abbreviations_DoNotEndSentences()
    {
        string text = "Dr. Smith et al. showed it, e.g. in Fig. 2. Then J. Doe agreed. The value was 3.5 mg.";
        IReadOnlyList<(int Start, int End)> units = new DocumentChunker().Units(text, markdown: false);
        Assert.Equal(
            ["Dr. Smith et al. showed it, e.g. in Fig. 2.", "Then J. Doe agreed.", "The value was 3.5 mg."],
            units.Select(u => text[u.Start..u.End]));
    }

    [Fact]
    public void Chunk_SentenceLongerThanTheLimit_IsCutAtWords()
    {
        string text = string.Join(" ", Enumerable.Repeat("word", 300)) + ".";
        var doc = new RetrievalDocument("d", text);
        IReadOnlyList<DocumentChunk> chunks = new DocumentChunker(new DocumentChunkerOptions { MaxTokens = 50, OverlapTokens = 10 }).Chunk(doc);

        Assert.True(chunks.Count >= 6);
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 50));
        Assert.All(chunks, c => Assert.Equal(text.Substring(c.Start, c.Length), c.Text));
        Assert.Equal(text.Length, chunks[^1].End);
        Assert.All(chunks, c => Assert.DoesNotContain("wo rd", c.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void Chunk_Markdown_KeepsHeadingPathsAndIgnoresHeadingsInCode()
    {
        string text = """
            # Guide

            Intro text.

            ## Install

            Run the installer.

            ```bash
            # not a heading
            make install
            ```

            ### Linux
            Use apt.

            ## Usage
            Call it.

            Setext title
            ============
            Body under setext.
            """;
        var doc = new RetrievalDocument("d", text) { Title = "Manual", Format = DocumentFormat.Markdown };
        IReadOnlyList<DocumentChunk> chunks = new DocumentChunker(new DocumentChunkerOptions { MaxTokens = 200, OverlapTokens = 0 }).Chunk(doc);

        Assert.Equal(
            ["Guide", "Guide > Install", "Guide > Install > Linux", "Guide > Usage", "Setext title"],
            chunks.Select(c => string.Join(" > ", c.HeadingPath)));
        Assert.Equal("Intro text.", chunks[0].Text);
        Assert.Contains("# not a heading", chunks[1].Text, StringComparison.Ordinal);
        Assert.Equal("Use apt.", chunks[2].Text);
        Assert.Equal("Body under setext.", chunks[4].Text);
        Assert.Equal("Manual\nGuide > Install > Linux\n\nUse apt.", chunks[2].IndexText);
        Assert.All(chunks, c => Assert.Equal(text.Substring(c.Start, c.Length), c.Text));
    }

    [Fact]
    public void Chunk_MarkdownListItems_AreUnits()
    {
        string text = "# List\n" + string.Join("\n", Enumerable.Range(0, 40).Select(i => $"- item number {i} without a full stop"));
        var doc = new RetrievalDocument("d", text) { Format = DocumentFormat.Markdown };
        IReadOnlyList<DocumentChunk> chunks = new DocumentChunker(new DocumentChunkerOptions { MaxTokens = 30, OverlapTokens = 0 }).Chunk(doc);
        Assert.True(chunks.Count > 5);
        Assert.All(chunks, c => Assert.StartsWith("- item number", c.Text, StringComparison.Ordinal));
        Assert.All(chunks, c => Assert.EndsWith("without a full stop", c.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void Chunk_ContentHash_ChangesWithTextAndContext()
    {
        var chunker = new DocumentChunker();
        string a = chunker.Chunk(new RetrievalDocument("d", "Same text.") { Title = "A" })[0].ContentHash;
        string a2 = chunker.Chunk(new RetrievalDocument("e", "Same text.") { Title = "A" })[0].ContentHash;
        string b = chunker.Chunk(new RetrievalDocument("d", "Same text.") { Title = "B" })[0].ContentHash;
        string c = chunker.Chunk(new RetrievalDocument("d", "Other text.") { Title = "A" })[0].ContentHash;
        Assert.Equal(a, a2);
        Assert.NotEqual(a, b);
        Assert.NotEqual(a, c);
        Assert.Matches("^[0-9a-f]{16}$", a);
    }

    [Fact]
    public void Chunk_WhitespaceOnly_ReturnsNothing()
    {
        Assert.Empty(new DocumentChunker().Chunk(new RetrievalDocument("d", " \n\n \t")));
    }

    [Theory]
    [InlineData(4, 0, "MaxTokens")]
    [InlineData(100, 100, "OverlapTokens")]
    [InlineData(100, -1, "OverlapTokens")]
    public void Constructor_InvalidOptions_NamesTheOption(int max, int overlap, string option)
    {
        var ex = Assert.Throws<ArgumentException>(() => new DocumentChunker(new DocumentChunkerOptions { MaxTokens = max, OverlapTokens = overlap }));
        Assert.Contains("DocumentChunkerOptions." + option, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Document_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => new RetrievalDocument("", "x"));
        Assert.Throws<ArgumentNullException>(() => new RetrievalDocument("d", null!));
        Assert.Throws<ArgumentNullException>(() => new DocumentChunker().Chunk(null!));
    }
}
