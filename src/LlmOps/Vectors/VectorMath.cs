using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LlmOps.Vectors;

/// <summary>
/// SIMD vector arithmetic for embeddings: dot product, L2 norm, normalisation and cosine similarity.
/// </summary>
/// <remarks>
/// Kernels use <see cref="Vector512{T}"/>, then <see cref="Vector256{T}"/>, then <see cref="Vector128{T}"/>,
/// with several independent accumulators and a scalar tail.
/// </remarks>
public static class VectorMath
{
    /// <summary>Computes the dot product of two vectors of equal length.</summary>
    /// <param name="x">The first vector.</param>
    /// <param name="y">The second vector.</param>
    /// <returns>The sum of the element-wise products.</returns>
    /// <exception cref="ArgumentException">The spans are empty or differ in length.</exception>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        RequireSameLength(x, y);
        return DotUnchecked(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length);
    }

    /// <summary>Computes the Euclidean (L2) norm of a vector.</summary>
    /// <param name="x">The vector.</param>
    /// <returns>The square root of the sum of squares.</returns>
    /// <exception cref="ArgumentException">The span is empty.</exception>
    public static float Norm(ReadOnlySpan<float> x)
    {
        RequireNonEmpty(x, nameof(x));
        ref float r = ref MemoryMarshal.GetReference(x);
        return MathF.Sqrt(DotUnchecked(ref r, ref r, x.Length));
    }

    /// <summary>Computes the cosine similarity of two vectors of equal length.</summary>
    /// <param name="x">The first vector.</param>
    /// <param name="y">The second vector.</param>
    /// <returns>A value in [-1, 1].</returns>
    /// <exception cref="ArgumentException">
    /// The spans are empty, differ in length, contain NaN or infinity, or one of them is the zero vector.
    /// </exception>
    public static float Cosine(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        RequireSameLength(x, y);
        RequireFinite(x, nameof(x));
        RequireFinite(y, nameof(y));
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        float nx = DotUnchecked(ref rx, ref rx, x.Length);
        float ny = DotUnchecked(ref ry, ref ry, y.Length);
        if (nx == 0f || ny == 0f)
        {
            throw new ArgumentException("Cosine similarity is undefined for the zero vector. Pass vectors with at least one non-zero component.", nx == 0f ? nameof(x) : nameof(y));
        }

        float c = DotUnchecked(ref rx, ref ry, x.Length) / (MathF.Sqrt(nx) * MathF.Sqrt(ny));
        return Math.Clamp(c, -1f, 1f);
    }

    /// <summary>Scales <paramref name="vector"/> in place to unit length.</summary>
    /// <param name="vector">The vector to normalise.</param>
    /// <exception cref="ArgumentException">The span is empty, contains NaN or infinity, or is the zero vector.</exception>
    public static void Normalize(Span<float> vector) => Normalize(vector, vector);

    /// <summary>Writes the unit-length version of <paramref name="source"/> to <paramref name="destination"/>.</summary>
    /// <param name="source">The vector to normalise.</param>
    /// <param name="destination">Receives the normalised vector; must have the same length (may be the same memory).</param>
    /// <exception cref="ArgumentException">
    /// The spans are empty or differ in length, <paramref name="source"/> contains NaN or infinity, or it is the zero vector.
    /// </exception>
    public static void Normalize(ReadOnlySpan<float> source, Span<float> destination)
    {
        RequireSameLength(source, destination);
        float inv = InverseNorm(source, nameof(source));
        System.Numerics.Tensors.TensorPrimitives.Multiply(source, inv, destination);
    }

    /// <summary>Validates the vector and returns 1 / its norm.</summary>
    internal static float InverseNorm(ReadOnlySpan<float> source, string paramName)
    {
        RequireNonEmpty(source, paramName);
        RequireFinite(source, paramName);
        ref float r = ref MemoryMarshal.GetReference(source);

        // Accumulate in double via a scale-free approach: float sum of squares may overflow for large components.
        double sum = 0;
        float fast = DotUnchecked(ref r, ref r, source.Length);
        if (float.IsFinite(fast) && fast > 1e-30f)
        {
            sum = fast;
        }
        else
        {
            for (int i = 0; i < source.Length; i++)
            {
                sum += (double)source[i] * source[i];
            }
        }

        if (sum == 0)
        {
            throw new ArgumentException("The zero vector cannot be normalised. Pass a vector with at least one non-zero component.", paramName);
        }

        return (float)(1.0 / Math.Sqrt(sum));
    }

    /// <summary>Returns whether every component is finite; SIMD, since every insert and query checks it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool AllFinite(ReadOnlySpan<float> x)
    {
        ref float r = ref MemoryMarshal.GetReference(x);
        nuint n = (nuint)x.Length;
        nuint i = 0;
        if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<float>.Count)
        {
            // v - v is +0 for a finite v and NaN for NaN or infinity; a NaN stays in the accumulator.
            nuint w = (nuint)Vector256<float>.Count;
            Vector256<float> acc = Vector256<float>.Zero;
            for (; i + w <= n; i += w)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref r, i);
                acc += v - v;
            }

            if (!Vector256.EqualsAll(acc, Vector256<float>.Zero))
            {
                return false;
            }
        }

        for (; i < n; i++)
        {
            if (!float.IsFinite(Unsafe.Add(ref r, i)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns whether the vector can be normalised (non-empty, finite, not zero): what an index accepts.</summary>
    internal static bool CanNormalize(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty)
        {
            return false;
        }

        float squares = System.Numerics.Tensors.TensorPrimitives.SumOfSquares(x);
        if (float.IsFinite(squares) && squares > 0f)
        {
            return true;
        }

        // Overflow or underflow of the fast sum, or a bad component: decide component by component.
        bool nonZero = false;
        foreach (float v in x)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }

            nonZero |= v != 0f;
        }

        return nonZero;
    }

    internal static void RequireFinite(ReadOnlySpan<float> x, string paramName)
    {
        if (AllFinite(x))
        {
            return;
        }

        for (int i = 0; i < x.Length; i++)
        {
            if (!float.IsFinite(x[i]))
            {
                throw new ArgumentException($"The vector contains {x[i]} at index {i}. Vectors must contain only finite numbers (no NaN or infinity).", paramName);
            }
        }
    }

    private static void RequireNonEmpty(ReadOnlySpan<float> x, string paramName)
    {
        if (x.IsEmpty)
        {
            throw new ArgumentException("The vector is empty. Pass a vector with at least one component.", paramName);
        }
    }

    private static void RequireSameLength(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        RequireNonEmpty(x, nameof(x));
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"The vectors differ in length ({x.Length} and {y.Length}). Pass vectors of the same dimension.", nameof(y));
        }
    }

    /// <summary>Dot product with four independent accumulators; no validation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float DotUnchecked(ref float x, ref float y, int length)
    {
        nuint n = (nuint)length;
        nuint i = 0;
        float result = 0f;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<float>.Count)
        {
            nuint w = (nuint)Vector512<float>.Count;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + (4 * w) <= n; i += 4 * w)
            {
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i), a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, i + w), Vector512.LoadUnsafe(ref y, i + w), a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, i + (2 * w)), Vector512.LoadUnsafe(ref y, i + (2 * w)), a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, i + (3 * w)), Vector512.LoadUnsafe(ref y, i + (3 * w)), a3);
            }

            for (; i + w <= n; i += w)
            {
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x, i), Vector512.LoadUnsafe(ref y, i), a0);
            }

            result = Vector512.Sum((a0 + a1) + (a2 + a3));
        }
        else if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<float>.Count)
        {
            nuint w = (nuint)Vector256<float>.Count;
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + (4 * w) <= n; i += 4 * w)
            {
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i), a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, i + w), Vector256.LoadUnsafe(ref y, i + w), a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, i + (2 * w)), Vector256.LoadUnsafe(ref y, i + (2 * w)), a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, i + (3 * w)), Vector256.LoadUnsafe(ref y, i + (3 * w)), a3);
            }

            for (; i + w <= n; i += w)
            {
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, i), Vector256.LoadUnsafe(ref y, i), a0);
            }

            result = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        else if (Vector128.IsHardwareAccelerated && n >= (nuint)Vector128<float>.Count)
        {
            nuint w = (nuint)Vector128<float>.Count;
            Vector128<float> a0 = default, a1 = default;
            for (; i + (2 * w) <= n; i += 2 * w)
            {
                a0 += Vector128.LoadUnsafe(ref x, i) * Vector128.LoadUnsafe(ref y, i);
                a1 += Vector128.LoadUnsafe(ref x, i + w) * Vector128.LoadUnsafe(ref y, i + w);
            }

            for (; i + w <= n; i += w)
            {
                a0 += Vector128.LoadUnsafe(ref x, i) * Vector128.LoadUnsafe(ref y, i);
            }

            result = Vector128.Sum(a0 + a1);
        }

        for (; i < n; i++)
        {
            result += Unsafe.Add(ref x, i) * Unsafe.Add(ref y, i);
        }

        return result;
    }
}
