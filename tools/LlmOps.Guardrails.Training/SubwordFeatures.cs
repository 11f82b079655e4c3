using System.Runtime.CompilerServices;
using LlmOps.Guardrails.Injection;

namespace LlmOps.Guardrails.Training;

/// <summary>
/// A candidate feature block: hashed character 3-, 4- and 5-grams of each word of the spaced view, the word padded
/// with boundary marks (<c>&lt;vergiss&gt;</c> gives <c>&lt;ve</c>, <c>ver</c>, ..., <c>iss&gt;</c>, <c>&lt;verg</c>, ...), in the
/// manner of fastText's subword units. The spaced view is lower-cased with diacritics, homoglyphs and leetspeak folded,
/// so "ignoriere", "ignorier", "igmore" and "vorherigen"/"vorherige" share most of their units without any word list.
/// Binary, L2-normalised as one block (at least <see cref="Minimum"/> units), hashed into the model's table with its own
/// seed.
/// </summary>
internal static class SubwordFeatures
{
    /// <summary>The block is normalised as if it held at least this many distinct units.</summary>
    public const int Minimum = 60;

    private const uint Seed = 0x9E3779B1;
    private const uint FnvPrime = 16777619;
    private const int Mask = InjectionFeatures.Dimensions - 1;

    [ThreadStatic]
    private static HashSet<int>? seenForThread;

    [ThreadStatic]
    private static List<int>? orderForThread;

    /// <summary>Emits the block for a spaced view.</summary>
    /// <typeparam name="TVisitor">The visitor type.</typeparam>
    /// <param name="spaced">The spaced view (letters, single spaces).</param>
    /// <param name="visitor">The visitor.</param>
    public static void Extract<TVisitor>(ReadOnlySpan<char> spaced, ref TVisitor visitor)
        where TVisitor : struct, InjectionFeatures.IVisitor
    {
        var seen = seenForThread ??= [];
        var order = orderForThread ??= [];
        seen.Clear();
        order.Clear();
        var start = 0;
        while (start < spaced.Length)
        {
            while (start < spaced.Length && spaced[start] == ' ')
            {
                start++;
            }

            var end = start;
            while (end < spaced.Length && spaced[end] != ' ')
            {
                end++;
            }

            if (end == start)
            {
                break;
            }

            var word = spaced[start..end];
            var padded = word.Length + 2;
            for (var n = 3; n <= 5; n++)
            {
                for (var s = 0; s + n <= padded; s++)
                {
                    var hash = (2166136261 ^ Seed) + (uint)n;
                    for (var p = s; p < s + n; p++)
                    {
                        hash = (hash ^ At(word, p)) * FnvPrime;
                    }

                    var index = (int)(InjectionFeatures.Finish(hash) & Mask);
                    if (seen.Add(index))
                    {
                        order.Add(index);
                    }
                }
            }

            start = end;
        }

        if (order.Count == 0)
        {
            return;
        }

        var value = 1f / MathF.Sqrt(Math.Max(order.Count, Minimum));
        foreach (var index in order)
        {
            visitor.Visit(index, value);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static char At(ReadOnlySpan<char> word, int p) => p == 0 ? '<' : p == word.Length + 1 ? '>' : word[p - 1];
}
