using System.Runtime.InteropServices;

namespace LlmOps.Evaluation.Metrics;

/// <summary>
/// Gives every distinct n-gram of one order a dense id, built from the id of its (n-1)-gram prefix and its last unit,
/// so n-grams of any length compare exactly as two integers and are counted in plain arrays.
/// </summary>
internal sealed class NGramInterner
{
    private readonly Dictionary<ulong, int> _ids = [];

    /// <summary>Gets the number of distinct n-grams of the current order.</summary>
    public int Count => _ids.Count;

    /// <summary>Starts a new order: ids handed out before are forgotten.</summary>
    public void NextOrder() => _ids.Clear();

    /// <summary>
    /// Turns the ids of the (n-1)-grams that start at each position of <paramref name="ids"/> into the ids of the n-grams
    /// that start there (<paramref name="n"/> is the new order; for n = 1 pass any constant prefix), and returns how many
    /// n-grams the sequence has.
    /// </summary>
    public int Advance(Span<int> ids, ReadOnlySpan<int> units, int n)
    {
        int count = units.Length - n + 1;
        if (count <= 0)
        {
            return 0;
        }

        for (int i = 0; i < count; i++)
        {
            ulong key = ((ulong)(uint)ids[i] << 32) | (uint)units[i + n - 1];
            ref int slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, key, out bool exists);
            if (!exists)
            {
                slot = _ids.Count - 1;
            }

            ids[i] = slot;
        }

        return count;
    }
}
