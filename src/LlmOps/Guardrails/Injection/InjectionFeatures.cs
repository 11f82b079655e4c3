using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmOps.Guardrails.Injection;

/// <summary>
/// Turns one window of text into the hashed sparse features of the trained injection model
/// (<see cref="InjectionModel"/>). Used unchanged for training and for scoring, so the two can never disagree.
/// </summary>
/// <remarks>
/// <para>
/// Three blocks, hashed into one table of <see cref="Dimensions"/> weights (the "hashing trick": no vocabulary is
/// stored, and unseen n-grams simply hash onto weights learnt for others):
/// </para>
/// <list type="bullet">
/// <item><description>character 3- and 4-grams of the folded view (case, homoglyphs, leetspeak, invisible characters,
/// letter spacing and diacritics undone, punctuation kept so delimiters such as <c>&lt;|im_start|&gt;</c> count); they are
/// language-agnostic, so German, Spanish and French inflections share evidence;</description></item>
/// <item><description>word unigrams and bigrams of the spaced view (split words rejoined), and again of the text outside
/// quotations, so "ignore previous instructions" said to the model and the same words quoted in a question about them
/// carry different weights;</description></item>
/// <item><description>a length band for short texts (up to 12 words), and the rule layer's evidence: the families its grammar found and its score band, so the model learns
/// how far to trust each rule family and where the rules were discounted as meta-discussion.</description></item>
/// </list>
/// <para>
/// Features are binary: an n-gram that occurs several times counts once, so repeating a sentence cannot inflate the
/// score. Each distinct n-gram contributes <c>1/sqrt(distinct n-grams in its block)</c> (the block's L2 norm is 1);
/// rule features contribute 1. Deduplication uses a per-thread bit set over the hash table, so scoring allocates
/// nothing after the first call on a thread.
/// </para>
/// </remarks>
internal static class InjectionFeatures
{
    /// <summary>The number of hash bits.</summary>
    public const int Bits = 17;

    /// <summary>The number of weights (features hash modulo this).</summary>
    public const int Dimensions = 1 << Bits;

    /// <summary>The feature-set version; the model file records it and refuses another.</summary>
    public const int Version = 1;

    private const uint Mask = Dimensions - 1;

    // A block is normalised as if it held at least this many distinct features, so the few n-grams of a very short
    // text ("hi", "no system message here") cannot carry the weight of a whole sentence.
    private const int MinimumCharGrams = 60;
    private const int MinimumWords = 12;
    private const uint FnvOffset = 2166136261;
    private const uint FnvPrime = 16777619;
    private const uint WordSeed = 0x85EBCA77;
    private const uint BigramSeed = 0xC2B2AE3D;
    private const uint OutsideWordSeed = 0x165667B1;
    private const uint OutsideBigramSeed = 0xD3A2646C;
    private const uint RuleSeed = 0x27D4EB2F;

    // The rule features' name prefixes, hashed once.
    private static readonly uint WordsPrefix = Hash("words:", FnvOffset ^ RuleSeed);
    private static readonly uint BandPrefix = Hash("band:", FnvOffset ^ RuleSeed);
    private static readonly uint FamilyPrefix = Hash("family:", FnvOffset ^ RuleSeed);

    /// <summary>Receives features.</summary>
    public interface IVisitor
    {
        /// <summary>Receives one feature occurrence.</summary>
        /// <param name="index">The weight index.</param>
        /// <param name="value">The feature value.</param>
        void Visit(int index, float value);
    }

    /// <summary>Emits the features of a window.</summary>
    /// <typeparam name="TVisitor">The visitor type (a struct, so the calls inline).</typeparam>
    /// <param name="folded">The folded view of the window (<see cref="InjectionNormalizer.Folded"/>).</param>
    /// <param name="spaced">The spaced view with split words rejoined.</param>
    /// <param name="outsideQuotes">The spaced view of the text with its quotations blanked (the same string as
    /// <paramref name="spaced"/> when it has none).</param>
    /// <param name="ruleScore">The rule layer's score for the window.</param>
    /// <param name="ruleFamilies">The families the rule layer found.</param>
    /// <param name="visitor">The visitor.</param>
    public static void Extract<TVisitor>(ReadOnlySpan<char> folded, ReadOnlySpan<char> spaced, ReadOnlySpan<char> outsideQuotes, double ruleScore, IReadOnlyList<string> ruleFamilies, ref TVisitor visitor)
        where TVisitor : struct, IVisitor
    {
        var distinct = Distinct.ForThread();
        CharGrams(folded, ref distinct);
        distinct.Emit(MinimumCharGrams, ref visitor);
        var words = Words(spaced, WordSeed, BigramSeed, ref distinct);
        distinct.Emit(MinimumWords, ref visitor);
        Words(outsideQuotes, OutsideWordSeed, OutsideBigramSeed, ref distinct);
        distinct.Emit(MinimumWords, ref visitor);
        Rules(ruleScore, ruleFamilies, words, ref visitor);
    }

    /// <summary>Collects the distinct indices of one block, then emits each with the block's normalised value.</summary>
    private struct Distinct : IVisitor
    {
        [ThreadStatic]
        private static ulong[]? seenForThread;

        [ThreadStatic]
        private static int[]? indicesForThread;

        private readonly ulong[] seen;
        private int[] indices;
        private int count;

        private Distinct(ulong[] seen, int[] indices)
        {
            this.seen = seen;
            this.indices = indices;
        }

        public static Distinct ForThread()
        {
            seenForThread ??= new ulong[Dimensions / 64];
            indicesForThread ??= new int[8192];
            return new Distinct(seenForThread, indicesForThread);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Visit(int index, float value)
        {
            // index < Dimensions (every hash is masked), so the bit set needs no bounds check.
            ref var word = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(seen), index >> 6);
            var bit = 1UL << (index & 63);
            if ((word & bit) != 0)
            {
                return;
            }

            word |= bit;
            if (count == indices.Length)
            {
                Grow();
            }

            indices[count++] = index;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void Grow()
        {
            Array.Resize(ref indices, indices.Length * 2);
            indicesForThread = indices;
        }

        public void Emit<TVisitor>(int minimum, ref TVisitor visitor)
            where TVisitor : struct, IVisitor
        {
            if (count == 0)
            {
                return;
            }

            var value = 1f / MathF.Sqrt(Math.Max(count, minimum));
            foreach (var index in indices.AsSpan(0, count))
            {
                visitor.Visit(index, value);
                seen[index >> 6] = 0;
            }

            count = 0;
        }
    }

    private static void CharGrams<TVisitor>(ReadOnlySpan<char> folded, ref TVisitor visitor)
        where TVisitor : struct, IVisitor
    {
        // The text is read as " " + folded (whitespace runs collapsed to one space) + " ". The last four characters
        // live in one 64-bit register (16 bits each), so each n-gram's hash is a few
        // multiplications, with no loop over its characters.
        ulong last4 = ' ';
        var filled = 1;
        var previousSpace = true;
        for (var i = 0; i <= folded.Length; i++)
        {
            var c = i == folded.Length ? ' ' : char.IsWhiteSpace(folded[i]) ? ' ' : folded[i];
            if (c == ' ')
            {
                if (previousSpace)
                {
                    continue;
                }

                previousSpace = true;
            }
            else
            {
                previousSpace = false;
            }

            last4 = (last4 << 16) | c;
            filled++;
            if (filled >= 3)
            {
                visitor.Visit(Mix(last4 & 0xFFFF_FFFF_FFFF, 3), 1f);
            }

            if (filled >= 4)
            {
                visitor.Visit(Mix(last4, 4), 1f);
            }

        }
    }

    // A 64-bit finaliser (the splitmix64 / murmur3 fmix64 constants) seeded by the n-gram length.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Mix(ulong x, int n)
    {
        x ^= (ulong)n * 0xD6E8FEB86659FD93;
        x ^= x >> 32;
        x *= 0xBF58476D1CE4E5B9;
        x ^= x >> 29;
        x *= 0x94D049BB133111EB;
        x ^= x >> 32;
        return (int)((uint)x & Mask);
    }

    private static int Words<TVisitor>(ReadOnlySpan<char> spaced, uint wordSeed, uint bigramSeed, ref TVisitor visitor)
        where TVisitor : struct, IVisitor
    {
        var words = 0;
        const float value = 1f;
        uint previous = 0;
        var hasPrevious = false;
        var span = spaced;
        var start = 0;
        while (start < span.Length)
        {
            while (start < span.Length && span[start] == ' ')
            {
                start++;
            }

            var end = start;
            while (end < span.Length && span[end] != ' ')
            {
                end++;
            }

            if (end == start)
            {
                break;
            }

            var word = Hash(span[start..end], FnvOffset ^ wordSeed);
            visitor.Visit((int)(Finish(word) & Mask), value);
            if (hasPrevious)
            {
                visitor.Visit((int)(Finish((previous * 31) ^ word ^ bigramSeed) & Mask), value);
            }

            previous = word;
            hasPrevious = true;
            start = end;
            words++;
        }

        return words;
    }

    private static void Rules<TVisitor>(double ruleScore, IReadOnlyList<string> ruleFamilies, int words, ref TVisitor visitor)
        where TVisitor : struct, IVisitor
    {
        // Short-text band: an instruction needs a few words, and the model learns how much a short text can say. Longer
        // texts get no length feature, so length itself can never count as evidence of an attack.
        if (words <= 12)
        {
            var length = words <= 2 ? "1-2" : words <= 5 ? "3-5" : "6-12";
            visitor.Visit((int)(Finish(Hash(length, WordsPrefix)) & Mask), 1f);
        }
        // Score bands: none, weak (discounted meta-discussion lands here), strong, certain.
        var band = ruleScore <= 0 ? "none" : ruleScore < 0.35 ? "weak" : ruleScore < 0.5 ? "near" : ruleScore < 0.85 ? "strong" : "certain";
        visitor.Visit((int)(Finish(Hash(band, BandPrefix)) & Mask), 1f);
        foreach (var family in ruleFamilies)
        {
            visitor.Visit((int)(Finish(Hash(family, FamilyPrefix)) & Mask), 1f);
        }
    }

    private static uint Hash(ReadOnlySpan<char> text, uint seed)
    {
        var hash = seed;
        foreach (var c in text)
        {
            hash = (hash ^ c) * FnvPrime;
        }

        return hash;
    }

    // FNV-1a's low bits mix poorly; a final avalanche (the murmur3 finaliser) spreads every input bit over the index.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Finish(uint hash)
    {
        hash ^= hash >> 16;
        hash *= 0x85EBCA6B;
        hash ^= hash >> 13;
        hash *= 0xC2B2AE35;
        hash ^= hash >> 16;
        return hash;
    }
}
