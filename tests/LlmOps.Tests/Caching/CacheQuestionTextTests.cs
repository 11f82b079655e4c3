using LlmOps.Caching;

namespace LlmOps.Tests.Caching;

public sealed class CacheQuestionTextTests
{
    [Theory]
    [InlineData("hey, quick question: what's the speed of light?", "what's the speed of light?")]
    [InlineData("Hi! Really quick one: how long do I microwave a baked potato?", "how long do I microwave a baked potato?")]
    [InlineData("sorry to bother you, but what time does the post office close on Saturdays?", "what time does the post office close on Saturdays?")]
    [InlineData("If it's not too much trouble, could you tell me who wrote The Great Gatsby?", "who wrote The Great Gatsby?")]
    [InlineData("One more thing, how do I block a number on Android?", "how do I block a number on Android?")]
    [InlineData("Hi there! Could you please tell me how to add a printer on my Mac? Thanks so much!", "how do I add a printer on my Mac")]
    [InlineData("Hi, quick question please: how do I cancel my Airbnb reservation?", "how do I cancel my Airbnb reservation?")]
    [InlineData("hey whats the wifi password for guests", "whats the wifi password for guests")]
    [InlineData("Hiya, just wondering, is it possible to upgrade my seat to business class?", "can I upgrade my seat to business class?")]
    [InlineData("Can you please summarize the plot of Hamlet?", "summarize the plot of Hamlet?")]
    [InlineData("Dear support team, I would like to know how to enable dark mode in the app. Kind regards.", "how do I enable dark mode in the app")]
    public void Normalize_CourtesyAroundTheQuestion_Removed(string text, string expected)
        => Assert.Equal(expected, CacheQuestionText.Normalize(text));

    [Theory]
    [InlineData("Hello world in Java")]
    [InlineData("What does please mean?")]
    [InlineData("how do I please my boss")]
    [InlineData("Can you use olive oil for deep frying?")]
    [InlineData("Must you use olive oil for deep frying?")]
    [InlineData("what is the capital of Norway")]
    [InlineData("Thanks")]
    public void Normalize_WordsThatCarryTheQuestion_Kept(string text)
        => Assert.Same(text, CacheQuestionText.Normalize(text));

    [Fact]
    public void Normalize_QuotedPlease_Kept()
        => Assert.Equal("translate \"please\" into Spanish", CacheQuestionText.Normalize("Could you translate \"please\" into Spanish"));

    [Fact]
    public void Fingerprint_CourtesyAroundTheQuestion_SameAsTheBareQuestion()
    {
        var bare = SemanticCacheFingerprint.Create("how do I unclog a bathroom drain?");
        var polite = SemanticCacheFingerprint.Create("If it's not too much trouble, could you tell me how to unclog a bathroom drain?");

        Assert.Equal(bare.Sequence, polite.Sequence);
        Assert.Equal(SemanticCacheGuards.None, polite.Compare(bare, SemanticCacheGuards.All & ~SemanticCacheGuards.PairCheck));
    }
}
