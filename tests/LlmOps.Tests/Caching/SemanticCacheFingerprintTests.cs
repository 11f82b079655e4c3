using LlmOps.Caching;

namespace LlmOps.Tests.Caching;

public sealed class SemanticCacheFingerprintTests
{
    [Theory]
    [InlineData("turn on dark mode", "turn off dark mode", SemanticCacheGuards.Polarity)]
    [InlineData("Why does my app crash?", "Why doesn't my app crash?", SemanticCacheGuards.Polarity)]
    [InlineData("Is it safe?", "Is it not safe?", SemanticCacheGuards.Polarity)]
    [InlineData("pizza with cheese", "pizza without cheese", SemanticCacheGuards.Polarity)]
    [InlineData("cheese pizza", "pizza without cheese", SemanticCacheGuards.Polarity)]
    [InlineData("log in to the portal", "log out of the portal", SemanticCacheGuards.Polarity)]
    [InlineData("Convert 5 miles to km", "Convert 50 miles to km", SemanticCacheGuards.Numbers)]
    [InlineData("Book a table for two", "Book a table for four", SemanticCacheGuards.Numbers)]
    [InlineData("Meetings on Monday", "Meetings on Tuesday", SemanticCacheGuards.Numbers)]
    [InlineData("Weather today", "Weather tomorrow", SemanticCacheGuards.Numbers)]
    [InlineData("Translate \"good morning\" to Spanish", "Translate \"good evening\" to Spanish", SemanticCacheGuards.QuotedStrings)]
    [InlineData("Spell 'recieve'", "Spell 'receive'", SemanticCacheGuards.QuotedStrings)]
    [InlineData("What is the capital of France?", "What is the capital of Germany?", SemanticCacheGuards.Entities)]
    [InlineData("How do I deploy to AWS?", "How do I deploy to GCP?", SemanticCacheGuards.Entities)]
    [InlineData("Install it on macOS", "Install it on iOS", SemanticCacheGuards.Entities)]
    public void Compare_DifferentMeaning_RejectedByExpectedGuard(string first, string second, SemanticCacheGuards expected)
    {
        var a = SemanticCacheFingerprint.Create(first);
        var b = SemanticCacheFingerprint.Create(second);

        Assert.Equal(expected, a.Compare(b, SemanticCacheGuards.All));
        Assert.Equal(expected, b.Compare(a, SemanticCacheGuards.All));
        Assert.Equal(SemanticCacheGuards.None, a.Compare(b, SemanticCacheGuards.All & ~expected));
    }

    [Theory]
    [InlineData("turn on dark mode", "enable dark theme")]
    [InlineData("How do I turn off notifications?", "How do I disable notifications?")]
    [InlineData("What is the capital of France?", "what's the capital of france")]
    [InlineData("What is the GDP of Japan?", "What's Japan's GDP?")]
    [InlineData("Convert 50,000 steps", "Convert 50000 steps")]
    [InlineData("Book a table for two", "Book a table for 2")]
    [InlineData("Translate \"Hello\" please", "please translate \"hello\"")]
    [InlineData("Show me my invoices", "List my invoices")]
    public void Compare_SameMeaning_Passes(string first, string second)
    {
        var a = SemanticCacheFingerprint.Create(first);
        var b = SemanticCacheFingerprint.Create(second);

        Assert.Equal(SemanticCacheGuards.None, a.Compare(b, SemanticCacheGuards.All));
        Assert.Equal(SemanticCacheGuards.None, b.Compare(a, SemanticCacheGuards.All));
    }

    [Fact]
    public void Create_Null_Throws() => Assert.Throws<ArgumentNullException>(() => SemanticCacheFingerprint.Create(null!));

    [Fact]
    public void Create_RoundTripsThroughPublicParts()
    {
        var original = SemanticCacheFingerprint.Create("Turn off \"Night Shift\" on my iPhone at 10 pm Monday");
        var copy = new SemanticCacheFingerprint(original.Polarity, original.Negated, [.. original.Numbers], [.. original.Quoted], [.. original.Entities], [.. original.Words]);

        Assert.Equal(SemanticCacheGuards.None, copy.Compare(original, SemanticCacheGuards.All));
        Assert.NotEmpty(original.Numbers);
        Assert.NotEmpty(original.Quoted);
        Assert.NotEmpty(original.Entities);
    }

    [Fact]
    public void PairIndexes_OpenClassWordsFoundInBothTablesOnce_OthersMinusOne()
    {
        var fingerprint = SemanticCacheFingerprint.Create("rent the car in zzqxv");
        var tokens = fingerprint.Sequence;

        var indexes = fingerprint.PairIndexes;

        Assert.Same(indexes, fingerprint.PairIndexes);
        Assert.Equal(tokens.Count, indexes.Relations.Length);
        Assert.Equal(tokens.Count, indexes.Vectors.Length);
        var car = tokens.ToList().FindIndex(t => t == SemanticCacheFingerprint.Create("car").Sequence[0]);
        Assert.Equal(CacheWordRelations.Default.IndexOf(tokens[car]), indexes.Relations[car]);
        Assert.Equal(CacheWordVectors.Default.IndexOf(tokens[car]), indexes.Vectors[car]);
        Assert.True(indexes.Relations[car] >= 0 && indexes.Vectors[car] >= 0);
        Assert.Equal(-1, indexes.Relations[1]); // "the" is a function word: the pair check never looks it up
        Assert.Equal(-1, indexes.Vectors[1]);
        Assert.Equal(-1, indexes.Vectors[^1]); // not a word of either table
    }

    [Fact]
    public void PairIndexes_FingerprintRebuiltFromStoredParts_SameIndexes()
    {
        var original = SemanticCacheFingerprint.Create("Which documents do I need to rent an automobile in Italy?");
        var stored = new SemanticCacheFingerprint(original.Polarity, original.Negated, [.. original.Numbers], [.. original.Quoted], [.. original.Entities], [.. original.Words], [.. original.Sequence], [.. original.Sketches]);

        Assert.Equal(original.PairIndexes.Relations.ToArray(), stored.PairIndexes.Relations.ToArray());
        Assert.Equal(original.PairIndexes.Vectors.ToArray(), stored.PairIndexes.Vectors.ToArray());
    }
}
