using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LlmOps.Guardrails.Injection;

/// <summary>
/// Reads the words of a text split at spaces (a spaced view) from bit masks of its spaces, 64 characters at a time (issue
/// 16): a word starts at a non-space after a space and ends at a space after a non-space, so finding a word costs a few
/// bit operations instead of a search call. Runs of spaces and spaces at either end are skipped.
/// </summary>
/// <param name="text">The text.</param>
internal ref struct SpacedWords(ReadOnlySpan<char> text)
{
    private readonly ReadOnlySpan<char> text = text;
    private int block = -64;
    private int pending = -1;
    private ulong starts;
    private ulong ends;
    private ulong previousSpace = 1;

    /// <summary>Moves to the next word.</summary>
    /// <param name="start">Receives where the word starts.</param>
    /// <param name="length">Receives its length.</param>
    /// <returns>False when there are no more words.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Next(out int start, out int length)
    {
        // Starts and ends alternate, so each start pairs with the next end, in this block or a later one.
        while (true)
        {
            if (pending < 0 && starts != 0)
            {
                pending = block + BitOperations.TrailingZeroCount(starts);
                starts &= starts - 1;
            }

            if (pending >= 0 && ends != 0)
            {
                start = pending;
                length = block + BitOperations.TrailingZeroCount(ends) - pending;
                ends &= ends - 1;
                pending = -1;
                return true;
            }

            if (!NextBlock())
            {
                start = pending;
                length = text.Length - pending;
                var found = pending >= 0;
                pending = -1;
                return found;
            }
        }
    }

    private bool NextBlock()
    {
        if (block + 64 >= text.Length)
        {
            return false;
        }

        block += 64;
        var spaces = SpaceMask(ref MemoryMarshal.GetReference(text), block, text.Length - block);
        var letters = ~spaces;
        starts = letters & ((spaces << 1) | previousSpace);
        ends = spaces & ((letters << 1) | (previousSpace ^ 1));
        previousSpace = spaces >> 63;
        return true;
    }

    /// <summary>
    /// The spaces among the 64 characters of <paramref name="text"/> from <paramref name="offset"/> as a bit mask (bit i
    /// for character offset + i); the positions at or after the end (<paramref name="remaining"/> characters are left)
    /// count as spaces.
    /// </summary>
    private static ulong SpaceMask(ref char text, int offset, int remaining)
    {
        ref var start = ref Unsafe.As<char, ushort>(ref Unsafe.Add(ref text, offset));
        if (remaining >= 64)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                var space = Vector512.Create((ushort)' ');
                return Vector512.Equals(Vector512.LoadUnsafe(ref start), space).ExtractMostSignificantBits()
                    | ((ulong)Vector512.Equals(Vector512.LoadUnsafe(ref start, 32), space).ExtractMostSignificantBits() << 32);
            }

            if (Vector256.IsHardwareAccelerated)
            {
                var space = Vector256.Create((ushort)' ');
                return Vector256.Equals(Vector256.LoadUnsafe(ref start), space).ExtractMostSignificantBits()
                    | ((ulong)Vector256.Equals(Vector256.LoadUnsafe(ref start, 16), space).ExtractMostSignificantBits() << 16)
                    | ((ulong)Vector256.Equals(Vector256.LoadUnsafe(ref start, 32), space).ExtractMostSignificantBits() << 32)
                    | ((ulong)Vector256.Equals(Vector256.LoadUnsafe(ref start, 48), space).ExtractMostSignificantBits() << 48);
            }
        }

        var mask = remaining >= 64 ? 0UL : ~0UL << remaining;
        for (var i = 0; i < Math.Min(remaining, 64); i++)
        {
            mask |= (Unsafe.Add(ref start, i) == ' ' ? 1UL : 0UL) << i;
        }

        return mask;
    }
}
