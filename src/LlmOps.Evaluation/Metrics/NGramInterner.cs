using System.Runtime.CompilerServices;

namespace LlmOps.Evaluation.Metrics;

/// <summary>
/// Gives every distinct n-gram of one order a dense id, built from the id of its (n-1)-gram prefix and its last unit,
/// so n-grams of any length compare exactly as two integers and are counted in plain arrays. An open-addressing table
/// with generation stamps, so starting a new order costs nothing.
/// </summary>
internal sealed class NGramInterner
{
    private ulong[] _keys = new ulong[1024];
    private int[] _values = new int[1024];
    private int[] _stamps = new int[1024];
    private int _stamp = 1;
    private int _shift = 64 - 10;

    /// <summary>Gets the number of distinct n-grams of the current order.</summary>
    public int Count { get; private set; }

    /// <summary>Starts a new order: ids handed out before are forgotten.</summary>
    public void NextOrder()
    {
        Count = 0;
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_stamps);
            _stamp = 1;
        }
    }

    /// <summary>
    /// Turns the ids of the (n-1)-grams that start at each position of <paramref name="ids"/> into the ids of the n-grams
    /// that start there (<paramref name="n"/> is the new order; for n = 1 pass any constant prefix), and returns how many
    /// n-grams the sequence has.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Advance(Span<int> ids, ReadOnlySpan<int> units, int n)
    {
        int count = units.Length - n + 1;
        if (count <= 0)
        {
            return 0;
        }

        EnsureCapacity(Count + count);
        ulong[] keys = _keys;
        int[] values = _values;
        int[] stamps = _stamps;
        int stamp = _stamp;
        int shift = _shift;
        int mask = keys.Length - 1;
        for (int i = 0; i < count; i++)
        {
            ulong key = ((ulong)(uint)ids[i] << 32) | (uint)units[i + n - 1];
            int slot = (int)((key * 0x9E3779B97F4A7C15UL) >> shift);
            while (true)
            {
                if (stamps[slot] != stamp)
                {
                    stamps[slot] = stamp;
                    keys[slot] = key;
                    values[slot] = Count;
                    ids[i] = Count++;
                    break;
                }

                if (keys[slot] == key)
                {
                    ids[i] = values[slot];
                    break;
                }

                slot = (slot + 1) & mask;
            }
        }

        return count;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed * 2 <= _keys.Length)
        {
            return;
        }

        int capacity = _keys.Length;
        while (needed * 2 > capacity)
        {
            capacity *= 2;
        }

        ulong[] oldKeys = _keys;
        int[] oldValues = _values;
        int[] oldStamps = _stamps;
        _keys = new ulong[capacity];
        _values = new int[capacity];
        _stamps = new int[capacity];
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)capacity);
        int mask = capacity - 1;
        for (int i = 0; i < oldKeys.Length; i++)
        {
            if (oldStamps[i] != _stamp)
            {
                continue;
            }

            int slot = (int)((oldKeys[i] * 0x9E3779B97F4A7C15UL) >> _shift);
            while (_stamps[slot] == _stamp)
            {
                slot = (slot + 1) & mask;
            }

            _stamps[slot] = _stamp;
            _keys[slot] = oldKeys[i];
            _values[slot] = oldValues[i];
        }
    }
}
