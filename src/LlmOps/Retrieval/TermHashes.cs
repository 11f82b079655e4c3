using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace LlmOps.Retrieval;

/// <summary>
/// Term sets as sorted arrays of 64-bit hashes (XxHash3 of the term's UTF-16 code units): what the grounding stage
/// keeps per chunk instead of a <see cref="HashSet{T}"/> of strings, so a source's analysis costs a few hundred bytes,
/// is computed once per chunk, and is searched without hashing strings. With a few hundred terms per set, the chance
/// that two distinct terms share a hash is about 10^-15.
/// </summary>
internal static class TermHashes
{
    /// <summary>The hash of a term.</summary>
    public static ulong Of(ReadOnlySpan<char> term) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(term));

    /// <summary>Whether a set made by <see cref="SortUnique"/> holds a hash.</summary>
    public static bool Contains(ReadOnlySpan<ulong> sorted, ulong hash) => sorted.BinarySearch(hash) >= 0;

    /// <summary>Sorts hashes and moves the distinct ones to the front; returns how many there are.</summary>
    public static int SortUnique(Span<ulong> hashes)
    {
        if (hashes.Length < 2)
        {
            return hashes.Length;
        }

        hashes.Sort();
        var count = 1;
        for (var i = 1; i < hashes.Length; i++)
        {
            if (hashes[i] != hashes[count - 1])
            {
                hashes[count++] = hashes[i];
            }
        }

        return count;
    }

    /// <summary>How many of <paramref name="terms"/> <paramref name="within"/> holds.</summary>
    public static int CountContained(ReadOnlySpan<ulong> terms, ReadOnlySpan<ulong> within)
    {
        var count = 0;
        foreach (var term in terms)
        {
            if (within.BinarySearch(term) >= 0)
            {
                count++;
            }
        }

        return count;
    }
}
