using LlmOps.Vectors;

namespace LlmOps.Tests.Vectors;

public class VectorMathTests
{
    public static TheoryData<int> Lengths => new() { 1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 384, 1536, 1537 };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Dot_AnyLength_MatchesDoubleReference(int n)
    {
        var rng = new Random(n);
        float[] x = VectorTestData.Random(rng, n), y = VectorTestData.Random(rng, n);
        double expected = 0;
        for (int i = 0; i < n; i++)
        {
            expected += (double)x[i] * y[i];
        }

        Assert.Equal(expected, VectorMath.Dot(x, y), 1e-3);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Normalize_AnyLength_GivesUnitNormAndCosineOfOne(int n)
    {
        var rng = new Random(n + 1000);
        float[] x = VectorTestData.Random(rng, n);
        float[] copy = (float[])x.Clone();
        VectorMath.Normalize(x);
        Assert.Equal(1.0, VectorMath.Norm(x), 1e-5);
        Assert.Equal(1.0, VectorMath.Cosine(x, copy), 1e-5);
    }

    [Fact]
    public void Cosine_OppositeVectors_IsMinusOne()
    {
        Assert.Equal(-1f, VectorMath.Cosine([1f, 2f, 3f], [-2f, -4f, -6f]), 1e-6);
    }

    [Fact]
    public void Dot_MismatchedLength_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(() => VectorMath.Dot([1f, 2f], [1f]));
        Assert.Contains("differ in length", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dot_Empty_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(() => VectorMath.Dot([], []));
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Cosine_NonFinite_ThrowsArgumentException(float bad)
    {
        var ex = Assert.Throws<ArgumentException>(() => VectorMath.Cosine([1f, bad], [1f, 1f]));
        Assert.Contains("finite", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Normalize_NonFiniteAtAnyPosition_ThrowsArgumentException(float bad)
    {
        // 37 covers the SIMD body and the scalar tail of the finiteness check.
        for (int i = 0; i < 37; i++)
        {
            var x = Enumerable.Repeat(1e30f, 37).ToArray();
            x[i] = bad;
            var ex = Assert.Throws<ArgumentException>(() => VectorMath.Normalize(x));
            Assert.Contains($"at index {i}", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CanNormalize_AgreesWithNormalize()
    {
        float[][] cases =
        [
            [], new float[384], [0f, float.Epsilon], [3e38f, 3e38f, 3e38f], [1f, float.NaN], [float.NegativeInfinity, 0f],
            Enumerable.Repeat(1e-30f, 40).ToArray(), Enumerable.Repeat(2e30f, 40).Append(float.NaN).ToArray(),
        ];
        foreach (var x in cases)
        {
            bool normalizes = true;
            try
            {
                VectorMath.Normalize(x.ToArray());
            }
            catch (ArgumentException)
            {
                normalizes = false;
            }

            Assert.Equal(normalizes, VectorMath.CanNormalize(x));
        }

        Assert.True(VectorMath.CanNormalize([3e38f, 3e38f, 3e38f]));
        Assert.False(VectorMath.CanNormalize(new float[384]));
    }

    [Fact]
    public void Normalize_ZeroVector_ThrowsArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(() => VectorMath.Normalize(new float[5]));
        Assert.Contains("zero vector", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_HugeComponents_DoesNotOverflow()
    {
        float[] x = [3e30f, 4e30f];
        VectorMath.Normalize(x);
        Assert.Equal(0.6f, x[0], 1e-6);
        Assert.Equal(0.8f, x[1], 1e-6);
    }
}
