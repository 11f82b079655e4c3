using System.Runtime.Intrinsics.X86;
using LlmOps.Vectors;

namespace LlmOps.Tests.Vectors;

public class Int8KernelsTests
{
    // The path travels as its name: Int8Path is internal, and a public test method cannot take it.
    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string>();
        foreach (Int8Path path in Enum.GetValues<Int8Path>())
        {
            data.Add(path.ToString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void DotRows_RandomAndExtremeCodes_EqualScalarIntegerDotExactly(string pathName)
    {
        Int8Path path = Enum.Parse<Int8Path>(pathName);
        if (!Int8Kernels.IsSupported(path))
        {
            Assert.Throws<PlatformNotSupportedException>(() => Int8Kernels.DotRows(path, new byte[4], 4, new sbyte[4], new int[1]));
            return;
        }

        var rng = new Random(1234 + (int)path);
        int checkedDots = 0;
        foreach (int dim in new[] { 1, 7, 31, 32, 33, 63, 64, 65, 96, 384, 1536 })
        {
            foreach (int rows in new[] { 1, 7, 8, 9, 16, 17 })
            {
                foreach (string fill in new[] { "random", "min", "max", "mixed-extremes" })
                {
                    sbyte[] codes = Fill(rng, rows * dim, fill);
                    sbyte[] query = Fill(rng, dim, fill == "mixed-extremes" ? "min" : fill);
                    byte[] biased = new byte[codes.Length];
                    Int8Kernels.BiasCodes(codes, biased);
                    int[] dots = new int[rows];
                    Int8Kernels.DotRows(path, biased, dim, query, dots);
                    for (int r = 0; r < rows; r++)
                    {
                        long expected = 0;
                        for (int i = 0; i < dim; i++)
                        {
                            expected += codes[(r * dim) + i] * query[i];
                        }

                        Assert.True(expected == dots[r], $"{path}, dim {dim}, row {r} of {rows}, {fill}: expected {expected}, got {dots[r]}");
                        checkedDots++;
                    }
                }
            }
        }

        Assert.True(checkedDots > 1000);
    }

    [Fact]
    public void Best_UsesVnniWhereTheMachineHasIt()
    {
        Int8Path expected = AvxVnni.IsSupported ? Int8Path.AvxVnni
            : Avx512BW.IsSupported && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? Int8Path.Avx512BW
            : Avx2.IsSupported ? Int8Path.Avx2 : Int8Path.Scalar;
        Assert.Equal(expected, Int8Kernels.Best);
    }

    [Fact]
    public void BiasCodes_IsCodePlus128()
    {
        sbyte[] codes = [-128, -127, -1, 0, 1, 127];
        byte[] biased = new byte[codes.Length];
        Int8Kernels.BiasCodes(codes, biased);
        Assert.Equal([0, 1, 127, 128, 129, 255], biased);
    }

    private static sbyte[] Fill(Random rng, int length, string fill)
    {
        var v = new sbyte[length];
        for (int i = 0; i < length; i++)
        {
            v[i] = fill switch
            {
                "min" => sbyte.MinValue,
                "max" => sbyte.MaxValue,
                "mixed-extremes" => (i % 3) switch { 0 => sbyte.MinValue, 1 => sbyte.MaxValue, _ => (sbyte)-127 },
                _ => (sbyte)rng.Next(sbyte.MinValue, sbyte.MaxValue + 1),
            };
        }

        return v;
    }
}
