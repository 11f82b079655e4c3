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
}
