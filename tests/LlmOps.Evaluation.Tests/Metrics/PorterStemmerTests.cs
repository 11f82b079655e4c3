using LlmOps.Evaluation.Metrics;

namespace LlmOps.Evaluation.Tests.Metrics;

public class PorterStemmerTests
{
    [Fact]
    public void Stem_EveryWordOfTheNltkTable_EqualsNltk()
    {
        var mismatches = new List<string>();
        int count = 0;
        foreach (string[] row in TestData.ReadTsv("porter_nltk.tsv"))
        {
            count++;
            string stem = PorterStemmer.Stem(row[0]);
            if (stem != row[1])
            {
                mismatches.Add($"{row[0]}: expected {row[1]}, got {stem}");
            }
        }

        Assert.True(count > 5000, $"only {count} words were read");
        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches.Take(40)));
    }

    [Theory]
    [InlineData("caresses", "caress")]
    [InlineData("ponies", "poni")]
    [InlineData("ties", "tie")]
    [InlineData("relational", "relat")]
    [InlineData("generalizations", "gener")]
    [InlineData("skies", "sky")]
    [InlineData("Running", "run")]
    [InlineData("at", "at")]
    public void Stem_KnownWords_ReturnsPorterStem(string word, string expected) =>
        Assert.Equal(expected, PorterStemmer.Stem(word));

    [Fact]
    public void Stem_Null_Throws() => Assert.Throws<ArgumentNullException>(() => PorterStemmer.Stem(null!));
}
