using System.Numerics;
using System.Runtime.CompilerServices;

namespace LlmOps.Caching;

/// <summary>
/// An open-addressing hash index over the sorted stem keys of a word table (<see cref="CacheWordRelations"/>,
/// <see cref="CacheWordVectors"/>): finds a stem's position in one or two probes, where a binary search over 27,000 keys
/// takes fifteen dependent reads. It returns exactly what <see cref="Array.BinarySearch{T}(T[], T)"/> finds.
/// </summary>
/// <remarks>Thread-safe: read-only after construction.</remarks>
internal sealed class CacheStemIndex
{
    private const ulong Fibonacci = 0x9E3779B97F4A7C15UL;

    private readonly ulong[] _keys;
    private readonly int[] _slots;
    private readonly int _shift;
    private readonly int _mask;

    /// <summary>Initializes a new instance of the <see cref="CacheStemIndex"/> class.</summary>
    /// <param name="keys">The table's distinct keys (kept by reference: the table owns them and never changes them).</param>
    public CacheStemIndex(ulong[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;

        // At most half full, so an absent stem meets an empty slot within a probe or two.
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, 2 * keys.Length));
        _slots = new int[capacity];
        _mask = capacity - 1;
        _shift = 64 - BitOperations.Log2((uint)capacity);
        for (var i = 0; i < keys.Length; i++)
        {
            var slot = Slot(keys[i]);
            while (_slots[slot] != 0)
            {
                slot = (slot + 1) & _mask;
            }

            _slots[slot] = i + 1;
        }
    }

    /// <summary>Finds a key.</summary>
    /// <param name="key">The stem hash.</param>
    /// <returns>Its position in the keys, or -1 when absent.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(ulong key)
    {
        for (var slot = Slot(key); ; slot = (slot + 1) & _mask)
        {
            var entry = _slots[slot];
            if (entry == 0)
            {
                return -1;
            }

            if (_keys[entry - 1] == key)
            {
                return entry - 1;
            }
        }
    }

    private int Slot(ulong key) => (int)((key * Fibonacci) >> _shift);
}
