using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LlmOps.Vectors;

/// <summary>The memory-bound inner loops of the flat and quantised indexes.</summary>
internal static class ScanKernels
{
    private static int s_warm;

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
        for (int i = 0; i < 5; i++)
        {
            p.Append("w" + i, v);
        }

        VectorPartition[] parts = [p];
        short[] wide = new short[dim];
        var heap = new TopK(2, parts);
        try
        {
            ScanFloat(p, 0, 0, p.RowCount, v, ref heap);
            ScanInt8(p, 0, 0, p.RowCount, wide, ref heap);
            ScanFloatBatch(p, 0, 0, p.RowCount, v, 1, new Span<TopK>(ref heap));
            _ = heap.ToResults(1f);
        }
        finally
        {
            heap.Dispose();
        }
    }
    /// <summary>Scores rows [start, end) of a partition against the query and offers them to the heap.</summary>
    /// <remarks>Four rows are streamed at once so four independent accumulators keep the loads in flight.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScanFloat(VectorPartition p, int part, int start, int end, ReadOnlySpan<float> query, ref TopK heap)
    {
        int dim = p.Dimensions;
        ref float q = ref MemoryMarshal.GetReference(query);
        ref float data = ref MemoryMarshal.GetArrayDataReference(p.Data);
        nuint d = (nuint)dim;
        int r = start;
        if (Vector512.IsHardwareAccelerated && dim >= Vector512<float>.Count)
        {
            nuint w = (nuint)Vector512<float>.Count;
            nuint vecEnd = d - (d % w);
            for (; r + 4 <= end; r += 4)
            {
                ref float r0 = ref Unsafe.Add(ref data, (nint)r * dim);
                ref float r1 = ref Unsafe.Add(ref r0, dim);
                ref float r2 = ref Unsafe.Add(ref r1, dim);
                ref float r3 = ref Unsafe.Add(ref r2, dim);
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (nuint i = 0; i < vecEnd; i += w)
                {
                    Vector512<float> qv = Vector512.LoadUnsafe(ref q, i);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r0, i), qv, a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r1, i), qv, a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r2, i), qv, a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r3, i), qv, a3);
                }

                float s0 = Vector512.Sum(a0), s1 = Vector512.Sum(a1), s2 = Vector512.Sum(a2), s3 = Vector512.Sum(a3);
                for (nuint i = vecEnd; i < d; i++)
                {
                    float qi = Unsafe.Add(ref q, i);
                    s0 += Unsafe.Add(ref r0, i) * qi;
                    s1 += Unsafe.Add(ref r1, i) * qi;
                    s2 += Unsafe.Add(ref r2, i) * qi;
                    s3 += Unsafe.Add(ref r3, i) * qi;
                }

                heap.Offer(s0, part, r);
                heap.Offer(s1, part, r + 1);
                heap.Offer(s2, part, r + 2);
                heap.Offer(s3, part, r + 3);
            }
        }
        else if (Vector256.IsHardwareAccelerated && dim >= Vector256<float>.Count)
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

                float s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3);
                for (nuint i = vecEnd; i < d; i++)
                {
                    float qi = Unsafe.Add(ref q, i);
                    s0 += Unsafe.Add(ref r0, i) * qi;
                    s1 += Unsafe.Add(ref r1, i) * qi;
                    s2 += Unsafe.Add(ref r2, i) * qi;
                    s3 += Unsafe.Add(ref r3, i) * qi;
                }

                heap.Offer(s0, part, r);
                heap.Offer(s1, part, r + 1);
                heap.Offer(s2, part, r + 2);
                heap.Offer(s3, part, r + 3);
            }
        }

        for (; r < end; r++)
        {
            heap.Offer(RowDot(ref Unsafe.Add(ref data, (nint)r * dim), ref q, d), part, r);
        }
    }

    /// <summary>
    /// One row's dot product with exactly the accumulation order of the interleaved loops, so a row's score does not
    /// depend on its position in the store or on whether it was searched alone or in a batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float RowDot(ref float row, ref float q, nuint d)
    {
        float s = 0f;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated && d >= (nuint)Vector512<float>.Count)
        {
            nuint w = (nuint)Vector512<float>.Count;
            nuint vecEnd = d - (d % w);
            Vector512<float> a = default;
            for (; i < vecEnd; i += w)
            {
                a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, i), Vector512.LoadUnsafe(ref q, i), a);
            }

            s = Vector512.Sum(a);
        }
        else if (Vector256.IsHardwareAccelerated && d >= (nuint)Vector256<float>.Count)
        {
            nuint w = (nuint)Vector256<float>.Count;
            nuint vecEnd = d - (d % w);
            Vector256<float> a = default;
            for (; i < vecEnd; i += w)
            {
                a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row, i), Vector256.LoadUnsafe(ref q, i), a);
            }

            s = Vector256.Sum(a);
        }

        for (; i < d; i++)
        {
            s += Unsafe.Add(ref row, i) * Unsafe.Add(ref q, i);
        }

        return s;
    }

    /// <summary>Scores one row against up to four queries at once so the row is read from memory once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScanFloatBatch(VectorPartition p, int part, int start, int end, ReadOnlySpan<float> queries, int queryCount, Span<TopK> heaps)
    {
        int dim = p.Dimensions;
        ref float qs = ref MemoryMarshal.GetReference(queries);
        ref float data = ref MemoryMarshal.GetArrayDataReference(p.Data);
        nuint d = (nuint)dim;
        bool wide = Vector512.IsHardwareAccelerated && dim >= Vector512<float>.Count;
        nuint w = (nuint)Vector512<float>.Count;
        nuint vecEnd = wide ? d - (d % w) : 0;
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
                for (nuint i = 0; i < vecEnd; i += w)
                {
                    Vector512<float> rv = Vector512.LoadUnsafe(ref row, i);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q0, i), rv, a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q1, i), rv, a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q2, i), rv, a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref q3, i), rv, a3);
                }

                float s0 = Vector512.Sum(a0), s1 = Vector512.Sum(a1), s2 = Vector512.Sum(a2), s3 = Vector512.Sum(a3);
                for (nuint i = vecEnd; i < d; i++)
                {
                    float rvs = Unsafe.Add(ref row, i);
                    s0 += Unsafe.Add(ref q0, i) * rvs;
                    s1 += Unsafe.Add(ref q1, i) * rvs;
                    s2 += Unsafe.Add(ref q2, i) * rvs;
                    s3 += Unsafe.Add(ref q3, i) * rvs;
                }

                heaps[qi].Offer(s0, part, r);
                heaps[qi + 1].Offer(s1, part, r);
                heaps[qi + 2].Offer(s2, part, r);
                heaps[qi + 3].Offer(s3, part, r);
            }

            for (; qi < queryCount; qi++)
            {
                heaps[qi].Offer(RowDot(ref row, ref Unsafe.Add(ref qs, (nint)qi * dim), d), part, r);
            }
        }
    }

    /// <summary>Approximate int8 scan: integer dot product of codes, scaled by the row's scale.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScanInt8(VectorPartition p, int part, int start, int end, ReadOnlySpan<short> query, ref TopK heap)
    {
        int dim = p.Dimensions;
        ref short q = ref MemoryMarshal.GetReference(query);
        ref sbyte data = ref MemoryMarshal.GetArrayDataReference(p.Codes!);
        float[] scales = p.Scales!;
        nuint d = (nuint)dim;
        int r = start;
        if (Avx512BW.IsSupported && dim >= 64)
        {
            nuint vecEnd = d - (d % 64);
            for (; r + 4 <= end; r += 4)
            {
                ref sbyte r0 = ref Unsafe.Add(ref data, (nint)r * dim);
                ref sbyte r1 = ref Unsafe.Add(ref r0, dim);
                ref sbyte r2 = ref Unsafe.Add(ref r1, dim);
                ref sbyte r3 = ref Unsafe.Add(ref r2, dim);
                Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
                for (nuint i = 0; i < vecEnd; i += 64)
                {
                    Vector512<short> qLo = Vector512.LoadUnsafe(ref q, i);
                    Vector512<short> qHi = Vector512.LoadUnsafe(ref q, i + 32);
                    a0 = Dot64(Vector512.LoadUnsafe(ref r0, i), qLo, qHi, a0);
                    a1 = Dot64(Vector512.LoadUnsafe(ref r1, i), qLo, qHi, a1);
                    a2 = Dot64(Vector512.LoadUnsafe(ref r2, i), qLo, qHi, a2);
                    a3 = Dot64(Vector512.LoadUnsafe(ref r3, i), qLo, qHi, a3);
                }

                int s0 = Vector512.Sum(a0), s1 = Vector512.Sum(a1), s2 = Vector512.Sum(a2), s3 = Vector512.Sum(a3);
                for (nuint i = vecEnd; i < d; i++)
                {
                    int qi = Unsafe.Add(ref q, i);
                    s0 += Unsafe.Add(ref r0, i) * qi;
                    s1 += Unsafe.Add(ref r1, i) * qi;
                    s2 += Unsafe.Add(ref r2, i) * qi;
                    s3 += Unsafe.Add(ref r3, i) * qi;
                }

                heap.Offer(s0 * scales[r], part, r);
                heap.Offer(s1 * scales[r + 1], part, r + 1);
                heap.Offer(s2 * scales[r + 2], part, r + 2);
                heap.Offer(s3 * scales[r + 3], part, r + 3);
            }
        }
        else if (Avx2.IsSupported && dim >= 32)
        {
            nuint vecEnd = d - (d % 32);
            for (; r < end; r++)
            {
                ref sbyte r0 = ref Unsafe.Add(ref data, (nint)r * dim);
                Vector256<int> a0 = default;
                for (nuint i = 0; i < vecEnd; i += 32)
                {
                    Vector256<sbyte> codes = Vector256.LoadUnsafe(ref r0, i);
                    (Vector256<short> lo, Vector256<short> hi) = Vector256.Widen(codes);
                    a0 += Avx2.MultiplyAddAdjacent(lo, Vector256.LoadUnsafe(ref q, i));
                    a0 += Avx2.MultiplyAddAdjacent(hi, Vector256.LoadUnsafe(ref q, i + 16));
                }

                int s0 = Vector256.Sum(a0);
                for (nuint i = vecEnd; i < d; i++)
                {
                    s0 += Unsafe.Add(ref r0, i) * Unsafe.Add(ref q, i);
                }

                heap.Offer(s0 * scales[r], part, r);
            }
        }

        for (; r < end; r++)
        {
            ref sbyte row = ref Unsafe.Add(ref data, (nint)r * dim);
            int s = 0;
            for (nuint i = 0; i < d; i++)
            {
                s += Unsafe.Add(ref row, i) * Unsafe.Add(ref q, i);
            }

            heap.Offer(s * scales[r], part, r);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Dot64(Vector512<sbyte> codes, Vector512<short> qLo, Vector512<short> qHi, Vector512<int> acc)
    {
        (Vector512<short> lo, Vector512<short> hi) = Vector512.Widen(codes);
        return acc + Avx512BW.MultiplyAddAdjacent(lo, qLo) + Avx512BW.MultiplyAddAdjacent(hi, qHi);
    }
}
