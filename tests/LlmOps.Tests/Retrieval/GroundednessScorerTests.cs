using LlmOps.Retrieval;

namespace LlmOps.Tests.Retrieval;

public sealed class GroundednessScorerTests
{
    private const string Source = "Backups are encrypted with AES-256 and kept in two regions. Operating costs fell by 3 percent. The bike lane is on Elm Street.";

    private static double Support(string sentence, string source = Source) => GroundednessScorer.Default.Support(sentence, [source]);

    [Theory]
    [InlineData("Backups are encrypted with AES-256.")]
    [InlineData("Costs fell by 3 percent.")]
    [InlineData("The bike lane is on Elm Street.")]
    public void Support_SentenceTheSourceStates_IsFull(string sentence) => Assert.Equal(1.0, Support(sentence));

    [Theory]
    [InlineData("Backups are not encrypted with AES-256.")] // a negation the source does not have
    [InlineData("Backups aren't kept in two regions.")]
    [InlineData("The bike lane is on Oak Street.")] // a name the source does not have
    [InlineData("Operating costs rose by 3 percent.")] // the opposite of what the source says
    [InlineData("Operating costs fell by 4 percent.")] // a number the source does not have
    public void Support_ContradictingCue_IsCapped(string sentence) => Assert.Equal(0.25, Support(sentence));

    [Fact]
    public void Support_NegationTheSourceAlsoHas_IsNotCapped()
        => Assert.Equal(1.0, Support("Backups are not kept in one region only.", "Backups are not kept in one region only; they are copied."));

    [Fact]
    public void Support_CapitalisedFirstWord_IsNotTakenForAName()
        => Assert.Equal(1.0, Support("Operating costs fell by 3 percent."));

    private const string Tower = "The tower is 2,300 metres tall and cost 1.2 billion euros. It opened after sixteen months of work. Its shop takes 8 percent of the visitors.";

    [Theory]
    [InlineData("The tower is 2300 m tall.")] // no thousands separator, the unit's symbol
    [InlineData("It cost 1,200,000,000 euros.")] // the scale word written out
    [InlineData("It opened after 16 months.")] // digits for a number word
    [InlineData("Its shop takes 8% of the visitors.")] // the percent sign
    public void Support_QuantityWrittenAnotherWay_IsFull(string sentence) => Assert.Equal(1.0, Support(sentence, Tower));

    [Theory]
    [InlineData("The tower is 2,300 feet tall.")] // another unit of the same dimension
    [InlineData("It cost 1.2 million euros.")] // another scale
    [InlineData("It opened after sixteen weeks of work.")] // weeks where the source counts months
    public void Support_QuantityChanged_IsCapped(string sentence) => Assert.Equal(0.25, Support(sentence, Tower));

    [Theory]
    [InlineData("Penicillin works against viruses.", "Penicillin does not work against viruses, so it cannot treat a cold.")] // the source's negation dropped
    [InlineData("Single sign-on is available for contractors.", "Single sign-on is not available for contractors, who must use a separate account.")]
    [InlineData("The door of the machine unlocks automatically while a programme runs.", "The door of the machine locks automatically while a programme runs.")]
    public void Support_ClauseContradictsItsBestMatchingSourceClause_IsCapped(string sentence, string source)
        => Assert.Equal(0.25, Support(sentence, source));

    [Fact]
    public void Support_NegatedLikeItsSourceClause_IsFull()
        => Assert.Equal(1.0, Support("Contractors can't use single sign-on.", "Single sign-on is not available for contractors, who must use a separate account."));

    [Theory]
    [InlineData("Members may borrow up to 20 books.", 0.25)] // 20 is in the source, but it counts cents, and books are 12
    [InlineData("Members may borrow up to 12 books.", 1.0)]
    [InlineData("Late returns cost 20 cents per book.", 1.0)]
    public void Support_NumberBoundToAnotherWord_IsCapped(string sentence, double expected)
        => Assert.Equal(expected, Support(sentence, "Members may borrow up to 12 books at a time. Late returns cost 20 cents per book per day."));

    [Theory]
    [InlineData("The river is the third-longest in the country.", 0.25)]
    [InlineData("The river is the 2nd-longest in the country.", 1.0)]
    public void Support_Ordinal_IsCheckedLikeANumber(string sentence, double expected)
        => Assert.Equal(expected, Support(sentence, "The river is the second-longest in the country."));
}
