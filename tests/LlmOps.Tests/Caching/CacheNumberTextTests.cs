using LlmOps.Caching;

namespace LlmOps.Tests.Caching;

public sealed class CacheNumberTextTests
{
    [Theory]
    [InlineData("Can I carry 10k dollars in cash?", "Can I carry $10,000 in cash?")]
    [InlineData("Can I carry 10 000 dollars in cash?", "Can I carry ten thousand dollars in cash?")]
    [InlineData("Can I carry 10 thousand dollars in cash?", "Can I carry USD 10000 in cash?")]
    [InlineData("Is a $10 fee normal?", "Is a 10 dollars fee normal?")]
    [InlineData("Is a $10.00 fee normal?", "Is a 10 US dollars fee normal?")]
    [InlineData("wake me at 5pm", "wake me at 5 p.m.")]
    [InlineData("wake me at 5 PM", "wake me at 17:00")]
    [InlineData("meet at 12pm", "meet at noon")]
    [InlineData("is a 1.5% rate good", "is a 1.5 percent rate good")]
    [InlineData("is a 20 per cent tip normal", "is a 20% tip normal")]
    [InlineData("ship 5kg to Paris", "ship 5 kilograms to Paris")]
    [InlineData("Can an S3 object be larger than 5 TB?", "Can an S3 object be larger than 5 terabytes?")]
    [InlineData("what is 350 degrees Fahrenheit in Celsius", "what is 350 °F in celsius")]
    [InlineData("two hundred and fifty people", "250 people")]
    [InlineData("twenty-five people", "25 people")]
    [InlineData("a million users", "1M users")]
    [InlineData("raise $1.5m", "raise 1.5 million dollars")]
    public void Normalize_EqualValuesWrittenDifferently_SameText(string first, string second)
        => Assert.Equal(CacheNumberText.Normalize(first), CacheNumberText.Normalize(second));

    [Theory]
    [InlineData("Can I carry 10k dollars in cash?", "Can I carry $1,000 in cash?")]
    [InlineData("wake me at 6 am", "wake me at 6 pm")]
    [InlineData("wake me at 5pm", "wake me at 5:30pm")]
    [InlineData("Python 3.10 release notes", "Python 3.1 release notes")]
    [InlineData("a 5 m cable", "a 5 million cable")]
    [InlineData("ship 5kg to Paris", "ship 5 lb to Paris")]
    [InlineData("is a 20% tip normal", "is a 25% tip normal")]
    [InlineData("10 dollars in euros", "10 euros in dollars")]
    public void Normalize_DifferentValues_StillDiffer(string first, string second)
        => Assert.NotEqual(CacheNumberText.Normalize(first), CacheNumberText.Normalize(second));

    [Theory]
    [InlineData("how do I reset my password")]
    [InlineData("what is the TB test")]
    [InlineData("train an ML model on x86")]
    [InlineData("the 1st of May")]
    public void Normalize_NothingToRewrite_ReturnsTheSameText(string text)
        => Assert.Equal(text, CacheNumberText.Normalize(text));

    [Fact]
    public void Normalize_Times_ReadAsTwentyFourHours()
    {
        Assert.Equal("wake me at 18:00", CacheNumberText.Normalize("wake me at 6 pm"));
        Assert.Equal("wake me at 0:00", CacheNumberText.Normalize("wake me at 12am"));
        Assert.Equal("wake me at 7:05", CacheNumberText.Normalize("wake me at 07:05"));
        Assert.Equal("carry 10000_dollar", CacheNumberText.Normalize("carry 10k dollars"));
    }

    [Theory]
    [InlineData("Can I carry 10k dollars in cash on a flight?", "Can I carry $10,000 in cash on a flight?")]
    [InlineData("Is a 1.5% interest rate good?", "Is a 1.5 percent interest rate good?")]
    [InlineData("Set an alarm for 5pm", "Set an alarm for 17:00")]
    public void Compare_NumberFormats_NumbersGuardPasses(string cached, string incoming)
        => Assert.Equal(SemanticCacheGuards.None, SemanticCacheFingerprint.Create(incoming).Compare(SemanticCacheFingerprint.Create(cached), SemanticCacheGuards.Numbers));

    [Theory]
    [InlineData("Can I carry 10k dollars in cash on a flight?", "Can I carry $1,000 in cash on a flight?")]
    [InlineData("Set an alarm for 6 am", "Set an alarm for 6 pm")]
    public void Compare_DifferentValues_NumbersGuardRejects(string cached, string incoming)
        => Assert.Equal(SemanticCacheGuards.Numbers, SemanticCacheFingerprint.Create(incoming).Compare(SemanticCacheFingerprint.Create(cached), SemanticCacheGuards.Numbers));
}
