using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LlmOps.Vectors;

/// <summary>The instruction sets the int8 dot products can run on, best first.</summary>
internal enum Int8Path
{
    /// <summary>Plain loops; runs anywhere.</summary>
    Scalar,

    /// <summary>AVX2: bytes widened to 16 bits, <c>vpmaddwd</c>.</summary>
    Avx2,

    /// <summary>AVX-512BW: the same on 64 bytes at a time.</summary>
    Avx512BW,

    /// <summary>AVX-VNNI: <c>vpdpbusd</c>, 32 byte products added into eight 32-bit sums in one instruction.</summary>
    AvxVnni,
}

/// <summary>
/// Exact int8 dot products between the stored rows of a <see cref="QuantizedVectorIndex"/> and a quantised query.
/// </summary>
/// <remarks>
/// <para>
/// Rows are stored biased, as unsigned bytes <c>code + 128</c>, because <c>vpdpbusd</c> multiplies unsigned bytes by
/// signed ones. Then Σ (c + 128)·q = Σ c·q + 128·Σ q, so one subtraction per query undoes the bias, and every path
/// gives exactly the integer Σ c·q for any codes and query in [-128, 127] (no intermediate saturates: <c>vpdpbusd</c>
/// adds its four 16-bit products straight into 32 bits, and 255·(-128) fits in 16).
/// </para>
/// <para>
/// .NET 10 exposes VNNI as <see cref="AvxVnni"/> (256-bit, VEX); there is no 512-bit <c>Avx512Vnni</c> class yet. At
/// two <c>vpdpbusd</c> per cycle that is 64 bytes per cycle, far more than one core streams from memory, so eight rows
/// at a time with eight accumulators, reduced together once, keep the scan memory-bound.
/// </para>
/// </remarks>
internal static class Int8Kernels
{
    /// <summary>The bias added to each stored code so that it fits an unsigned byte.</summary>
    public const int Bias = 128;

    /// <summary>Gets the fastest path this machine supports.</summary>
    public static Int8Path Best { get; } =
        AvxVnni.IsSupported ? Int8Path.AvxVnni
        : Avx512BW.IsSupported && Vector512.IsHardwareAccelerated ? Int8Path.Avx512BW
        : Avx2.IsSupported ? Int8Path.Avx2
        : Int8Path.Scalar;

    /// <summary>Returns whether <paramref name="path"/> can run on this machine.</summary>
    public static bool IsSupported(Int8Path path) => path switch
    {
        Int8Path.AvxVnni => AvxVnni.IsSupported,
        Int8Path.Avx512BW => Avx512BW.IsSupported,
        Int8Path.Avx2 => Avx2.IsSupported,
        _ => true,
    };

    /// <summary>Scores rows [start, end) of a quantised partition (integer dot × row scale) and offers them to the heap.</summary>
    public static void Scan(VectorPartition p, int part, int start, int end, ReadOnlySpan<sbyte> query, ref TopK heap)
    {
        var sink = new HeapSink(ref heap, p.Scales!, part);
        Run(Best, ref MemoryMarshal.GetArrayDataReference(p.Codes!), start, end, p.Dimensions, query, ref sink);
    }

    /// <summary>Writes the exact integer dot products Σ c·q of each biased row with the query, on the given path; for tests.</summary>
    /// <param name="path">The instruction set; it must be supported.</param>
    /// <param name="biasedRows">Row-major rows of <paramref name="dimensions"/> bytes, each <c>code + 128</c>.</param>
    /// <param name="dimensions">The row length.</param>
    /// <param name="query">The signed query codes.</param>
    /// <param name="dots">Receives one product per row.</param>
    public static void DotRows(Int8Path path, ReadOnlySpan<byte> biasedRows, int dimensions, ReadOnlySpan<sbyte> query, Span<int> dots)
    {
        if (!IsSupported(path))
        {
            throw new PlatformNotSupportedException($"The int8 path {path} is not supported on this machine.");
        }

        var sink = new DotSink(dots);
        Run(path, ref MemoryMarshal.GetReference(biasedRows), 0, biasedRows.Length / dimensions, dimensions, query, ref sink);
    }

    /// <summary>Biases signed codes for storage: <c>code + 128</c> as an unsigned byte.</summary>
    public static void BiasCodes(ReadOnlySpan<sbyte> codes, Span<byte> biased)
    {
        for (int i = 0; i < codes.Length; i++)
        {
            biased[i] = (byte)(codes[i] ^ sbyte.MinValue);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TSink>(Int8Path path, ref byte data, int start, int end, int dim, ReadOnlySpan<sbyte> query, ref TSink sink)
        where TSink : IDotSink, allows ref struct
    {
        ref sbyte q = ref MemoryMarshal.GetReference(query);
        nuint d = (nuint)dim;
        int bias = 0;
        for (int i = 0; i < query.Length; i++)
        {
            bias += query[i];
        }

        bias *= Bias;
        int r = start;
        if (path == Int8Path.AvxVnni && dim >= Vector256<byte>.Count)
        {
            nuint vecEnd = d & ~(nuint)(Vector256<byte>.Count - 1);
            Vector256<int> biasV = Vector256.Create(bias);
            nuint blockBytes = 8 * d;
            for (; r + 8 <= end; r += 8)
            {
                ref byte b = ref Unsafe.Add(ref data, (nint)r * dim);
                PrefetchAhead(ref b, blockBytes);
                Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
                for (nuint i = 0; i < vecEnd; i += (nuint)Vector256<byte>.Count)
                {
                    Vector256<sbyte> qv = Vector256.LoadUnsafe(ref q, i);
                    ref byte x = ref Unsafe.Add(ref b, i);
                    a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.LoadUnsafe(ref x), qv);
                    a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.LoadUnsafe(ref x, d), qv);
                    a2 = AvxVnni.MultiplyWideningAndAdd(a2, Vector256.LoadUnsafe(ref x, 2 * d), qv);
                    a3 = AvxVnni.MultiplyWideningAndAdd(a3, Vector256.LoadUnsafe(ref x, 3 * d), qv);
                    a4 = AvxVnni.MultiplyWideningAndAdd(a4, Vector256.LoadUnsafe(ref x, 4 * d), qv);
                    a5 = AvxVnni.MultiplyWideningAndAdd(a5, Vector256.LoadUnsafe(ref x, 5 * d), qv);
                    a6 = AvxVnni.MultiplyWideningAndAdd(a6, Vector256.LoadUnsafe(ref x, 6 * d), qv);
                    a7 = AvxVnni.MultiplyWideningAndAdd(a7, Vector256.LoadUnsafe(ref x, 7 * d), qv);
                }

                Vector256<int> sums = Reduce8(a0, a1, a2, a3, a4, a5, a6, a7);
                if (vecEnd != d)
                {
                    sums = AddTails(sums, ref b, ref q, vecEnd, d);
                }

                sink.Rows8(r, sums - biasV);
            }

            for (; r < end; r++)
            {
                ref byte row = ref Unsafe.Add(ref data, (nint)r * dim);
                Vector256<int> a = default;
                for (nuint i = 0; i < vecEnd; i += (nuint)Vector256<byte>.Count)
                {
                    a = AvxVnni.MultiplyWideningAndAdd(a, Vector256.LoadUnsafe(ref row, i), Vector256.LoadUnsafe(ref q, i));
                }

                sink.Row(r, Vector256.Sum(a) + Tail(ref row, ref q, vecEnd, d) - bias);
            }

            return;
        }

        if ((path == Int8Path.Avx512BW && dim >= Vector512<byte>.Count) || (path == Int8Path.Avx2 && dim >= Vector256<byte>.Count))
        {
            // vpmaddwd takes 16-bit lanes: the query is widened once per scan.
            short[]? rented = null;
            Span<short> wide = dim <= 1024 ? stackalloc short[dim] : (rented = ArrayPool<short>.Shared.Rent(dim)).AsSpan(0, dim);
            for (int i = 0; i < dim; i++)
            {
                wide[i] = query[i];
            }

            ref short qw = ref MemoryMarshal.GetReference(wide);
            if (path == Int8Path.Avx512BW)
            {
                nuint vecEnd = d & ~(nuint)(Vector512<byte>.Count - 1);
                for (; r < end; r++)
                {
                    ref byte row = ref Unsafe.Add(ref data, (nint)r * dim);
                    Vector512<int> a = default;
                    for (nuint i = 0; i < vecEnd; i += (nuint)Vector512<byte>.Count)
                    {
                        (Vector512<ushort> lo, Vector512<ushort> hi) = Vector512.Widen(Vector512.LoadUnsafe(ref row, i));
                        a += Avx512BW.MultiplyAddAdjacent(lo.AsInt16(), Vector512.LoadUnsafe(ref qw, i));
                        a += Avx512BW.MultiplyAddAdjacent(hi.AsInt16(), Vector512.LoadUnsafe(ref qw, i + 32));
                    }

                    sink.Row(r, Vector512.Sum(a) + Tail(ref row, ref q, vecEnd, d) - bias);
                }
            }
            else
            {
                nuint vecEnd = d & ~(nuint)(Vector256<byte>.Count - 1);
                for (; r < end; r++)
                {
                    ref byte row = ref Unsafe.Add(ref data, (nint)r * dim);
                    Vector256<int> a = default;
                    for (nuint i = 0; i < vecEnd; i += (nuint)Vector256<byte>.Count)
                    {
                        (Vector256<ushort> lo, Vector256<ushort> hi) = Vector256.Widen(Vector256.LoadUnsafe(ref row, i));
                        a += Avx2.MultiplyAddAdjacent(lo.AsInt16(), Vector256.LoadUnsafe(ref qw, i));
                        a += Avx2.MultiplyAddAdjacent(hi.AsInt16(), Vector256.LoadUnsafe(ref qw, i + 16));
                    }

                    sink.Row(r, Vector256.Sum(a) + Tail(ref row, ref q, vecEnd, d) - bias);
                }
            }

            if (rented is not null)
            {
                ArrayPool<short>.Shared.Return(rented);
            }
        }

        for (; r < end; r++)
        {
            ref byte row = ref Unsafe.Add(ref data, (nint)r * dim);
            sink.Row(r, Tail(ref row, ref q, 0, d) - bias);
        }
    }

    // How far ahead of the block being scored the kernel asks for rows (bytes). The f32 scan reads sixteen rows at once and
    // so keeps many cache-line misses in flight; the int8 block (eight rows of a quarter the width) is read from one
    // narrow stretch, and on some hosts (an AMD EPYC here) one sequential stream reads DRAM at about three quarters of
    // what the f32 scan reaches. A software prefetch a few blocks ahead keeps more lines in flight.
    private const int PrefetchDistance = 16 * 1024;

    /// <summary>Hints the rows <see cref="PrefetchDistance"/> bytes past <paramref name="block"/> into the cache (one hint per line).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchAhead(ref byte block, nuint blockBytes)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        // A prefetch is a hint: an address past the end of the codes (the last blocks) neither faults nor reads.
        byte* ahead = (byte*)Unsafe.AsPointer(ref block) + PrefetchDistance;
        for (nuint o = 0; o < blockBytes; o += 64)
        {
            Sse.Prefetch0(ahead + o);
        }
    }

    /// <summary>Σ biased byte × query over components [from, d).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Tail(ref byte row, ref sbyte q, nuint from, nuint d)
    {
        int s = 0;
        for (nuint i = from; i < d; i++)
        {
            s += Unsafe.Add(ref row, i) * Unsafe.Add(ref q, i);
        }

        return s;
    }

    private static Vector256<int> AddTails(Vector256<int> sums, ref byte block, ref sbyte q, nuint vecEnd, nuint d)
    {
        Span<int> s = stackalloc int[8];
        sums.StoreUnsafe(ref MemoryMarshal.GetReference(s));
        for (int j = 0; j < 8; j++)
        {
            s[j] += Tail(ref Unsafe.Add(ref block, (nuint)j * d), ref q, vecEnd, d);
        }

        return Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(s));
    }

    /// <summary>The eight sums of eight accumulators, in order, by one transpose-and-add tree.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Reduce8(
        Vector256<int> a0, Vector256<int> a1, Vector256<int> a2, Vector256<int> a3,
        Vector256<int> a4, Vector256<int> a5, Vector256<int> a6, Vector256<int> a7)
    {
        Vector256<int> c0 = Quarters(Pairs(a0, a1), Pairs(a2, a3));
        Vector256<int> c1 = Quarters(Pairs(a4, a5), Pairs(a6, a7));
        return Avx2.Permute2x128(c0, c1, 0x20) + Avx2.Permute2x128(c0, c1, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Pairs(Vector256<int> a, Vector256<int> b) => Avx2.UnpackLow(a, b) + Avx2.UnpackHigh(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quarters(Vector256<int> ab, Vector256<int> cd) =>
        Avx2.UnpackLow(ab.AsInt64(), cd.AsInt64()).AsInt32() + Avx2.UnpackHigh(ab.AsInt64(), cd.AsInt64()).AsInt32();

    /// <summary>Where the dot products of a scan go.</summary>
    private interface IDotSink
    {
        /// <summary>Takes the products of rows [row, row + 8).</summary>
        void Rows8(int row, Vector256<int> dots);

        /// <summary>Takes the product of one row.</summary>
        void Row(int row, int dot);
    }

    /// <summary>Scales each product by its row's scale and offers the rows that can enter the heap.</summary>
    private ref struct HeapSink(ref TopK heap, float[] scales, int part) : IDotSink
    {
        private ref TopK _heap = ref heap;

        public void Rows8(int row, Vector256<int> dots)
        {
            Vector256<float> scores = Vector256.ConvertToSingle(dots) * Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(scales), (nuint)row);
            uint pass = Vector256.GreaterThanOrEqual(scores, Vector256.Create(_heap.Threshold)).ExtractMostSignificantBits();
            while (pass != 0)
            {
                int j = BitOperations.TrailingZeroCount(pass);
                _heap.Offer(scores.GetElement(j), part, row + j);
                pass &= pass - 1;
            }
        }

        public void Row(int row, int dot) => _heap.Offer(dot * scales[row], part, row);
    }

    private ref struct DotSink(Span<int> dots) : IDotSink
    {
        private readonly Span<int> _dots = dots;

        public readonly void Rows8(int row, Vector256<int> dots) => dots.CopyTo(_dots.Slice(row, 8));

        public readonly void Row(int row, int dot) => _dots[row] = dot;
    }
}
