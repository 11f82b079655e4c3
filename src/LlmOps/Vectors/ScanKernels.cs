using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LlmOps.Vectors;

/// <summary>The memory-bound float32 inner loops of the indexes (the int8 ones are in <see cref="Int8Kernels"/>).</summary>
/// <remarks>
/// <para>
/// With AVX-512, sixteen rows are scanned at once, each into its own <see cref="Vector512{T}"/> accumulator, and the
/// sixteen accumulators are reduced together by one transpose-and-add tree (<see cref="Reduce16"/>: 45 instructions
/// for sixteen rows, against about eight per row for a horizontal sum each). The sixteen scores then meet the heap's
/// threshold in one compare, so a block none of whose rows can enter the top k costs one branch.
/// </para>
/// <para>
/// Every row's score is computed in one canonical order: one accumulator per row over the 16-float chunks in order,
/// the transpose tree's order of lanes, then the scalar tail. <see cref="RowDot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> reproduces that order for a lone
/// row, so a score does not depend on the row's position in the store, on how a search was split across cores, or on
/// whether the query was searched alone or in a batch.
/// </para>
/// </remarks>
internal static class ScanKernels
{
    private const int Block = 16;
    private static int s_warm;

    /// <summary>Whether the 16-row AVX-512 kernel runs (otherwise the portable <see cref="Vector256{T}"/> one).</summary>
    private static bool Wide => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>
    /// Compiles the kernels once per process on a tiny input, so the cost of fully optimising them lands on index
    /// construction instead of on the first query.
    /// </summary>
    public static void EnsureWarm()
    {
        if (Interlocked.Exchange(ref s_warm, 1) != 0)
        {
            return;
        }

        const int dim = 64;
        var p = new VectorPartition(null, dim, quantized: true);
        float[] v = new float[dim];
        v[0] = 1f;
        for (int i = 0; i < Block + 1; i++)
        {
            p.Append("w" + i, v);
        }

        VectorPartition[] parts = [p];
        sbyte[] codes = new sbyte[dim];
        var heap = new TopK(2, parts);
        try
        {
            ScanFloat(p, 0, 0, p.RowCount, v, ref heap);
            Int8Kernels.Scan(p, 0, 0, p.RowCount, codes, ref heap);
            ScanFloatBatch(p, 0, 0, p.RowCount, v, 1, new Span<TopK>(ref heap));
            _ = heap.ToResults(1f);
        }
        finally
        {
            heap.Dispose();
        }
    }

    /// <summary>Scores rows [start, end) of a partition against the query and offers them to the heap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScanFloat(VectorPartition p, int part, int start, int end, ReadOnlySpan<float> query, ref TopK heap)
    {
        int dim = p.Dimensions;
        ref float q = ref MemoryMarshal.GetReference(query);
        ref float data = ref MemoryMarshal.GetArrayDataReference(p.Data);
        nuint d = (nuint)dim;
        int r = start;
        if (Wide && dim >= Vector512<float>.Count)
        {
            nuint vecEnd = d & ~(nuint)(Vector512<float>.Count - 1);
            for (; r + Block <= end; r += Block)
            {
                // Sixteen rows are 16 × dim contiguous floats: row j of the block starts j × dim after the first.
                ref float b = ref Unsafe.Add(ref data, (nint)r * dim);
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                Vector512<float> a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
                for (nuint i = 0; i < vecEnd; i += (nuint)Vector512<float>.Count)
                {
                    Vector512<float> qv = Vector512.LoadUnsafe(ref q, i);
                    ref float x = ref Unsafe.Add(ref b, i);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x), qv, a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, d), qv, a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, 2 * d), qv, a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, 3 * d), qv, a3);
                    a4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, 4 * d), qv, a4);
                    a5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, 5 * d), qv, a5);
                    a6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, 6 * d), qv, a6);
                    a7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, 7 * d), qv, a7);
                    a8 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, 8 * d), qv, a8);
                    a9 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, 9 * d), qv, a9);
                    a10 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, 10 * d), qv, a10);
                    a11 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, 11 * d), qv, a11);
                    a12 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, 12 * d), qv, a12);
                    a13 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, 13 * d), qv, a13);
                    a14 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, 14 * d), qv, a14);
                    a15 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, 15 * d), qv, a15);
                }

                Vector512<float> sums = Reduce16(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
                if (vecEnd != d)
                {
                    sums = AddTails(sums, ref b, ref q, vecEnd, d);
                }

                ulong pass = Vector512.GreaterThanOrEqual(sums, Vector512.Create(heap.Threshold)).ExtractMostSignificantBits();
                if (pass != 0)
                {
                    OfferBlock(ref heap, sums, (uint)pass, part, r);
                }
            }
        }
        else if (!Wide && Vector256.IsHardwareAccelerated && dim >= Vector256<float>.Count)
        {
            nuint w = (nuint)Vector256<float>.Count;
            nuint vecEnd = d - (d % w);
            for (; r + 4 <= end; r += 4)
            {
                ref float r0 = ref Unsafe.Add(ref data, (nint)r * dim);
                ref float r1 = ref Unsafe.Add(ref r0, dim);
                ref float r2 = ref Unsafe.Add(ref r1, dim);
                ref float r3 = ref Unsafe.Add(ref r2, dim);
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (nuint i = 0; i < vecEnd; i += w)
                {
                    Vector256<float> qv = Vector256.LoadUnsafe(ref q, i);
                    a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, i), qv, a0);
                    a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r1, i), qv, a1);
                    a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r2, i), qv, a2);
                    a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r3, i), qv, a3);
                }

                heap.Offer(Vector256.Sum(a0) + Tail(ref r0, ref q, vecEnd, d), part, r);
                heap.Offer(Vector256.Sum(a1) + Tail(ref r1, ref q, vecEnd, d), part, r + 1);
                heap.Offer(Vector256.Sum(a2) + Tail(ref r2, ref q, vecEnd, d), part, r + 2);
                heap.Offer(Vector256.Sum(a3) + Tail(ref r3, ref q, vecEnd, d), part, r + 3);
            }
        }

        for (; r < end; r++)
        {
            heap.Offer(RowDot(ref Unsafe.Add(ref data, (nint)r * dim), ref q, d), part, r);
        }
    }

    /// <summary>Scores rows against up to four queries at once, so each row is read from memory once for all of them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScanFloatBatch(VectorPartition p, int part, int start, int end, ReadOnlySpan<float> queries, int queryCount, Span<TopK> heaps)
    {
        int dim = p.Dimensions;
        ref float qs = ref MemoryMarshal.GetReference(queries);
        ref float data = ref MemoryMarshal.GetArrayDataReference(p.Data);
        nuint d = (nuint)dim;
        bool wide = Wide && dim >= Vector512<float>.Count;
        nuint vecEnd = d & ~(nuint)(Vector512<float>.Count - 1);
        for (int r = start; r < end; r++)
        {
            ref float row = ref Unsafe.Add(ref data, (nint)r * dim);
            int qi = 0;
            for (; wide && qi + 4 <= queryCount; qi += 4)
            {
                ref float q0 = ref Unsafe.Add(ref qs, (nint)qi * dim);
                ref float q1 = ref Unsafe.Add(ref q0, dim);
                ref float q2 = ref Unsafe.Add(ref q1, dim);
                ref float q3 = ref Unsafe.Add(ref q2, dim);
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (nuint i = 0; i < vecEnd; i += (nuint)Vector512<float>.Count)
                {
                    // Row times query in the order RowDot uses; the product is the same either way round.
                    Vector512<float> rv = Vector512.LoadUnsafe(ref row, i);
                    a0 = Vector512.FusedMultiplyAdd(rv, Vector512.LoadUnsafe(ref q0, i), a0);
                    a1 = Vector512.FusedMultiplyAdd(rv, Vector512.LoadUnsafe(ref q1, i), a1);
                    a2 = Vector512.FusedMultiplyAdd(rv, Vector512.LoadUnsafe(ref q2, i), a2);
                    a3 = Vector512.FusedMultiplyAdd(rv, Vector512.LoadUnsafe(ref q3, i), a3);
                }

                Vector128<float> s = Reduce4(a0, a1, a2, a3);
                heaps[qi].Offer(s.GetElement(0) + Tail(ref row, ref q0, vecEnd, d), part, r);
                heaps[qi + 1].Offer(s.GetElement(1) + Tail(ref row, ref q1, vecEnd, d), part, r);
                heaps[qi + 2].Offer(s.GetElement(2) + Tail(ref row, ref q2, vecEnd, d), part, r);
                heaps[qi + 3].Offer(s.GetElement(3) + Tail(ref row, ref q3, vecEnd, d), part, r);
            }

            for (; qi < queryCount; qi++)
            {
                heaps[qi].Offer(RowDot(ref row, ref Unsafe.Add(ref qs, (nint)qi * dim), d), part, r);
            }
        }
    }

    /// <summary>One row's dot product with a query, in the canonical order of <see cref="ScanFloat"/>.</summary>
    public static float RowDot(ReadOnlySpan<float> row, ReadOnlySpan<float> query) =>
        RowDot(ref MemoryMarshal.GetReference(row), ref MemoryMarshal.GetReference(query), (nuint)row.Length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float RowDot(ref float row, ref float q, nuint d)
    {
        if (Wide && d >= (nuint)Vector512<float>.Count)
        {
            nuint vecEnd = d & ~(nuint)(Vector512<float>.Count - 1);
            Vector512<float> a = default;
            for (nuint i = 0; i < vecEnd; i += (nuint)Vector512<float>.Count)
            {
                a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, i), Vector512.LoadUnsafe(ref q, i), a);
            }

            return Reduce4(a, a, a, a).ToScalar() + Tail(ref row, ref q, vecEnd, d);
        }

        if (!Wide && Vector256.IsHardwareAccelerated && d >= (nuint)Vector256<float>.Count)
        {
            nuint w = (nuint)Vector256<float>.Count;
            nuint vecEnd = d - (d % w);
            Vector256<float> a = default;
            for (nuint i = 0; i < vecEnd; i += w)
            {
                a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row, i), Vector256.LoadUnsafe(ref q, i), a);
            }

            return Vector256.Sum(a) + Tail(ref row, ref q, vecEnd, d);
        }

        return Tail(ref row, ref q, 0, d);
    }

    /// <summary>The scalar products of components [from, d), added in order (0 when the range is empty).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tail(ref float row, ref float q, nuint from, nuint d)
    {
        float s = 0f;
        for (nuint i = from; i < d; i++)
        {
            s += Unsafe.Add(ref row, i) * Unsafe.Add(ref q, i);
        }

        return s;
    }

    private static Vector512<float> AddTails(Vector512<float> sums, ref float block, ref float q, nuint vecEnd, nuint d)
    {
        Span<float> s = stackalloc float[Block];
        sums.StoreUnsafe(ref MemoryMarshal.GetReference(s));
        for (int j = 0; j < Block; j++)
        {
            s[j] += Tail(ref Unsafe.Add(ref block, (nuint)j * d), ref q, vecEnd, d);
        }

        return Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(s));
    }

    /// <summary>Offers the rows of a block whose bit is set in <paramref name="pass"/>, in row order.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void OfferBlock(ref TopK heap, Vector512<float> sums, uint pass, int part, int row)
    {
        Span<float> s = stackalloc float[Block];
        sums.StoreUnsafe(ref MemoryMarshal.GetReference(s));
        while (pass != 0)
        {
            int j = BitOperations.TrailingZeroCount(pass);
            heap.Offer(s[j], part, row + j);
            pass &= pass - 1;
        }
    }

    /// <summary>
    /// Sums each of sixteen accumulators, returning the sixteen sums in order. Per row, lanes are added as
    /// ((x0+x2)+(x1+x3)) within each 128-bit quarter Q, then (Q0+Q1)+(Q2+Q3).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Reduce16(
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3,
        Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7,
        Vector512<float> a8, Vector512<float> a9, Vector512<float> a10, Vector512<float> a11,
        Vector512<float> a12, Vector512<float> a13, Vector512<float> a14, Vector512<float> a15) =>
        Halves(
            Halves(Quarters(Pairs(a0, a1), Pairs(a2, a3)), Quarters(Pairs(a4, a5), Pairs(a6, a7))),
            Halves(Quarters(Pairs(a8, a9), Pairs(a10, a11)), Quarters(Pairs(a12, a13), Pairs(a14, a15))));

    /// <summary>Sums four accumulators in the order of <see cref="Reduce16"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Reduce4(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        Vector512<float> c = Quarters(Pairs(a0, a1), Pairs(a2, a3));
        Vector512<float> h = Halves(c, c);
        return Halves(h, h).GetLower().GetLower();
    }

    // Per 128-bit quarter: [a0+a2, b0+b2, a1+a3, b1+b3].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pairs(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackLow(a, b) + Avx512F.UnpackHigh(a, b);

    // Per 128-bit quarter of two Pairs results: the four rows' quarter sums.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Quarters(Vector512<float> ab, Vector512<float> cd) =>
        Avx512F.UnpackLow(ab.AsDouble(), cd.AsDouble()).AsSingle() + Avx512F.UnpackHigh(ab.AsDouble(), cd.AsDouble()).AsSingle();

    // Quarters 0+1 and 2+3 of x, then of y.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Halves(Vector512<float> x, Vector512<float> y) =>
        Avx512F.Shuffle4x128(x, y, 0b10_00_10_00) + Avx512F.Shuffle4x128(x, y, 0b11_01_11_01);
}
