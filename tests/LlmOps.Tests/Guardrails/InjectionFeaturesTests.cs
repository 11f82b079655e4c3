using System.Text;
using LlmOps.Guardrails.Injection;

namespace LlmOps.Tests.Guardrails;

/// <summary>
/// The trained layer's fast paths give exactly what the plain paths give (issue 16): the vectorised character n-grams,
/// the fused word pass and the four-lane chunk scoring. Scores must stay bit for bit the same, so every comparison is exact.
/// </summary>
public sealed class InjectionFeaturesTests
{
    [Fact]
    public void Collect_VectorisedCharGrams_EqualTheScalarLoop()
    {
        var rng = new Random(160);
        for (var t = 0; t < 500; t++)
        {
            var text = RandomText(rng, rng.Next(1, 400));

            // A leading or trailing space reads the same stream (" " + text + " ") but sends the text down the scalar loop.
            var plain = Features(text, string.Empty, string.Empty);
            Assert.Equal(plain, Features(text + " ", string.Empty, string.Empty));
            Assert.Equal(plain, Features(" " + text, string.Empty, string.Empty));
        }
    }

    [Fact]
    public void Collect_MatchesTheVisitorPath_AndTheFusedWordPassEqualsTwoPasses()
    {
        var rng = new Random(161);
        for (var t = 0; t < 300; t++)
        {
            var folded = RandomText(rng, rng.Next(1, 320));
            var spaced = InjectionNormalizer.Rejoin(InjectionNormalizer.SpacedFromFolded(folded));
            var collected = Features(folded, spaced, spaced);
            var visited = new List<(int, float)>();
            var visitor = new Recorder(visited);
            InjectionFeatures.Extract(folded, spaced, spaced, 0.4, ["override"], ref visitor);
            Assert.Equal(Features(folded, spaced, spaced, 0.4, ["override"]), visited);

            // Spaces around the outside view keep its words but send it down the two-pass path: the fused pass (both
            // blocks hashed at once) must give the same features.
            Assert.Equal(collected, Features(folded, spaced, "  " + spaced + " "));
        }
    }

    [Fact]
    public void ScoreChunks_EqualsScoringEachChunk_BitForBit()
    {
        var model = InjectionModel.Default;
        var rng = new Random(162);
        for (var t = 0; t < 60; t++)
        {
            var builder = new StringBuilder();
            while (builder.Length < 400 + rng.Next(3000))
            {
                builder.Append(RandomText(rng, rng.Next(20, 200))).Append(rng.Next(3) == 0 ? ".\n" : ". ");
            }

            var folded = InjectionNormalizer.Folded(builder.ToString());
            var reader = new InjectionModel.ChunkReader(folded);
            var chunks = reader.Chunks;
            var evidence = new (double, IReadOnlyList<string>)[chunks.Count];
            for (var k = 0; k < chunks.Count; k++)
            {
                evidence[k] = k % 3 == 0 ? (0.0, []) : (0.6, ["override", "extraction"]);
            }

            var scores = new double[chunks.Count];
            model.ScoreChunks(reader, evidence, scores);
            for (var k = 0; k < chunks.Count; k++)
            {
                var single = model.Score(reader.Views(chunks[k]), evidence[k].Item1, evidence[k].Item2);
                Assert.Equal(BitConverter.DoubleToInt64Bits(single), BitConverter.DoubleToInt64Bits(scores[k]));
            }
        }
    }

    private static List<(int, float)> Features(string folded, string spaced, string outside, double ruleScore = 0, IReadOnlyList<string>? families = null)
    {
        var buffer = InjectionFeatures.FeatureBuffer.ForThread(1);
        var count = InjectionFeatures.Collect(folded, spaced, outside, ruleScore, families ?? [], buffer);
        var list = new List<(int, float)>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add((buffer.Indices[i], buffer.Values[i]));
        }

        return list;
    }

    /// <summary>Letters, digits, punctuation, single and double spaces, tabs, newlines and a few non-ASCII characters.</summary>
    private static string RandomText(Random rng, int length)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz abcdefghij klmnop qrstuvwxyz  0123456789.,;:!?<|>[]'\"-_\téàßж\n\u00A0\u2003";
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(Alphabet[rng.Next(Alphabet.Length)]);
        }

        // Most chunks are plain prose: keep half the texts free of doubled and unusual whitespace.
        return rng.Next(2) == 0 ? builder.ToString() : string.Join(' ', builder.ToString().Split([' ', '\t', '\n', '\u00A0', '\u2003'], StringSplitOptions.RemoveEmptyEntries));
    }

    private readonly struct Recorder(List<(int, float)> list) : InjectionFeatures.IVisitor
    {
        public void Visit(int index, float value) => list.Add((index, value));
    }
}
