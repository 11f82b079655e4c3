using System.Buffers;
using System.Text;
using LlmOps.Routing;

namespace LlmOps.Tests.Routing;

/// <summary>
/// The one-pass cue automaton against the count it replaces: repeated <c>IndexOfAny(SearchValues&lt;string&gt;)</c>
/// (ordinal, case-insensitive), moving one character past each hit.
/// </summary>
public class CueAutomatonTests
{
    [Fact]
    public void Count_RandomTextsOverTheScorersCues_EqualsSearchValuesPerSet()
    {
        var sets = ComplexityFeatures.CueSets;
        var automaton = new CueAutomaton(sets);
        var search = sets.Select(static s => SearchValues.Create(s, StringComparison.OrdinalIgnoreCase)).ToArray();
        var fragments = sets.SelectMany(static s => s).Concat(["ı", "ſ", "\u212A", "é", "’", "😀", " ", "  ", ".", "\n", "A", "z", "Ü"]).ToArray();
        var random = new Random(1905);
        Span<int> counts = stackalloc int[sets.Length];
        for (var n = 0; n < 2000; n++)
        {
            var text = new StringBuilder();
            var parts = random.Next(0, 30);
            for (var p = 0; p < parts; p++)
            {
                var f = fragments[random.Next(fragments.Length)];
                // Random case and a cut on either side, so cues overlap, run together and break off.
                var cut = f.Length > 2 ? random.Next(0, 2) : 0;
                var piece = f[cut..];
                text.Append(random.Next(3) == 0 ? piece.ToUpperInvariant() : piece);
            }

            var s = text.ToString();
            counts.Clear();
            automaton.Count(s, counts);
            for (var set = 0; set < sets.Length; set++)
            {
                Assert.True(Matches(s, search[set]) == counts[set], $"Set {set} on \"{s}\": SearchValues {Matches(s, search[set])}, automaton {counts[set]}.");
            }
        }
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("abab", 3)]
    [InlineData("ABA", 2)]
    [InlineData("xbabx", 2)]
    [InlineData("aba", 2)]
    public void Count_OverlappingCues_CountsEachStartPositionOnce(string text, int expected)
    {
        // In "aba", "ab" and "aba" start at position 0 (one count) and "ba" at position 1 (another).
        var automaton = new CueAutomaton([["ab", "aba", "ba"]]);
        Span<int> counts = stackalloc int[1];

        automaton.Count(text, counts);

        Assert.Equal(expected, counts[0]);
    }

    [Fact]
    public void Constructor_NonAsciiCue_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CueAutomaton([["café"]]));

        Assert.Contains("café", ex.Message, StringComparison.Ordinal);
    }

    private static int Matches(ReadOnlySpan<char> text, SearchValues<string> cues)
    {
        var count = 0;
        int index;
        while ((index = text.IndexOfAny(cues)) >= 0)
        {
            count++;
            text = text[(index + 1)..];
        }

        return count;
    }
}
