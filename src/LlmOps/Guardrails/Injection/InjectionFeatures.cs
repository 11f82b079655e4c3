using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LlmOps.Guardrails.Injection;

/// <summary>
/// Turns one window of text into the hashed sparse features of the trained injection model
/// (<see cref="InjectionModel"/>). Used unchanged for training and for scoring, so the two can never disagree.
/// </summary>
/// <remarks>
/// <para>
/// Four blocks, hashed into one table of <see cref="Dimensions"/> weights (the "hashing trick": no vocabulary is
/// stored, and unseen n-grams simply hash onto weights learnt for others):
/// </para>
/// <list type="bullet">
/// <item><description>character 3- and 4-grams of the folded view (case, homoglyphs, leetspeak, invisible characters,
/// letter spacing and diacritics undone, punctuation kept so delimiters such as <c>&lt;|im_start|&gt;</c> count); they are
/// language-agnostic, so German, Spanish and French inflections share evidence;</description></item>
/// <item><description>word unigrams and bigrams of the spaced view (split words rejoined), and again of the text outside
/// quotations, so "ignore previous instructions" said to the model and the same words quoted in a question about them
/// carry different weights;</description></item>
/// <item><description>the concept block (<see cref="InjectionLexicon"/>, feature set 2, issue 17): override, prior, rules,
/// disclosure, secret and a few more concepts named by words in English, German, Spanish, French and a few other
/// languages, matched exactly, by German compound head or within one edit, and the pairs of concepts within a few words,
/// so "vergiss alles zuvor Gesagte" and "forgt evrything befor" read as "forget everything before" does;</description></item>
/// <item><description>a length band for short texts (up to 12 words), and the rule layer's evidence: the families its grammar found and its score band, so the model learns
/// how far to trust each rule family and where the rules were discounted as meta-discussion.</description></item>
/// </list>
/// <para>
/// Features are binary: an n-gram that occurs several times counts once, so repeating a sentence cannot inflate the
/// score. Each distinct n-gram contributes <c>1/sqrt(distinct n-grams in its block)</c> (the block's L2 norm is 1);
/// rule features contribute 1. Deduplication uses a per-thread bit set over the hash table, and features are written to
/// per-thread buffers (<see cref="Collect"/>), so scoring allocates nothing after the first call on a thread.
/// </para>
/// </remarks>
internal static class InjectionFeatures
{
    /// <summary>The number of hash bits.</summary>
    public const int Bits = 17;

    /// <summary>The number of weights (features hash modulo this).</summary>
    public const int Dimensions = 1 << Bits;

    /// <summary>The feature-set version; the model file records it and refuses another.</summary>
    public const int Version = 3;

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
    private const uint ConceptSeed = 0x61C88647;

    // The concept block (InjectionLexicon) is normalised as if it held at least this many distinct features.
    private const int MinimumConcepts = 4;

    // The weight index of each concept feature (InjectionLexicon.Collect's feature numbers).
    private static readonly int[] ConceptIndices = BuildConceptIndices();

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
        var buffer = FeatureBuffer.ForThread(0);
        var count = Collect(folded, spaced, outsideQuotes, ruleScore, ruleFamilies, buffer);
        var indices = buffer.Indices;
        var values = buffer.Values;
        for (var i = 0; i < count; i++)
        {
            visitor.Visit(indices[i], values[i]);
        }
    }

    /// <summary>
    /// Writes the features of a window into <paramref name="buffer"/>, in the order <see cref="Extract{TVisitor}"/> emits
    /// them (that order fixes the floating-point sum of a dot product, so scores stay bit for bit the same).
    /// </summary>
    /// <param name="folded">The folded view of the window.</param>
    /// <param name="spaced">The spaced view with split words rejoined.</param>
    /// <param name="outsideQuotes">The spaced view outside quotations.</param>
    /// <param name="ruleScore">The rule layer's score for the window.</param>
    /// <param name="ruleFamilies">The families the rule layer found.</param>
    /// <param name="buffer">Where the features go (grown as needed).</param>
    /// <returns>The number of features written.</returns>
    public static int Collect(ReadOnlySpan<char> folded, ReadOnlySpan<char> spaced, ReadOnlySpan<char> outsideQuotes, double ruleScore, IReadOnlyList<string> ruleFamilies, FeatureBuffer buffer)
    {
        // Every n-gram occurrence could be new: at most two per character of the folded view and two per word of each
        // spaced view (a word and its bigram), plus the rule features.
        buffer.EnsureCapacity((2 * (folded.Length + 1)) + (2 * (spaced.Length + 1)) + (2 * (outsideQuotes.Length + 1)) + InjectionLexicon.FeatureCount + 2 + ruleFamilies.Count);
        var seen = seenForThread ??= new ulong[Dimensions / 64];
        var indices = buffer.Indices;
        var values = buffer.Values;
        var count = CharGrams(folded, seen, indices, 0);
        count = Emit(seen, indices, values, 0, count, MinimumCharGrams);
        var block = count;
        int words;
        if (outsideQuotes.SequenceEqual(spaced))
        {
            // Without quotations both word blocks read the same words: one pass hashes each word with both seeds (two
            // independent multiplication chains). The second block's indices wait in the scratch array until the first
            // block is emitted, so each block is deduplicated and ordered as before.
            count = WordsTwice(spaced, seen, indices, count, buffer.Scratch, out words, out var pending);
            count = Emit(seen, indices, values, block, count, MinimumWords);
            block = count;
            ref var bits = ref MemoryMarshal.GetArrayDataReference(seen);
            ref var output = ref MemoryMarshal.GetArrayDataReference(indices);
            foreach (var index in buffer.Scratch.AsSpan(0, pending))
            {
                count = Add(ref bits, ref output, count, index);
            }
        }
        else
        {
            count = Words(spaced, WordSeed, BigramSeed, seen, indices, count, out words);
            count = Emit(seen, indices, values, block, count, MinimumWords);
            block = count;
            count = Words(outsideQuotes, OutsideWordSeed, OutsideBigramSeed, seen, indices, count, out _);
        }

        count = Emit(seen, indices, values, block, count, MinimumWords);
        block = count;
        count = Concepts(spaced, seen, indices, count);
        count = Emit(seen, indices, values, block, count, MinimumConcepts);
        return Rules(ruleScore, ruleFamilies, words, indices, values, count);
    }

    /// <summary>
    /// Emits the concept block of a spaced view (<see cref="InjectionLexicon"/>): each concept and each pair of concepts
    /// within <see cref="InjectionLexicon.Window"/> words, binary, normalised as one block.
    /// </summary>
    /// <typeparam name="TVisitor">The visitor type.</typeparam>
    /// <param name="spaced">The spaced view.</param>
    /// <param name="visitor">The visitor.</param>
    /// <param name="fuzzy">Whether words are also matched within distance 1 of the vocabulary.</param>
    /// <param name="scale">A factor on the block's values (a training candidate's knob).</param>
    public static void ExtractConcepts<TVisitor>(ReadOnlySpan<char> spaced, ref TVisitor visitor, bool fuzzy = true, float scale = 1f)
        where TVisitor : struct, IVisitor
    {
        Span<int> features = stackalloc int[InjectionLexicon.FeatureCount];
        var count = InjectionLexicon.Collect(spaced, features, fuzzy);
        if (count == 0)
        {
            return;
        }

        var value = scale / MathF.Sqrt(Math.Max(count, MinimumConcepts));
        foreach (var feature in features[..count])
        {
            visitor.Visit(ConceptIndices[feature], value);
        }
    }

    /// <summary>Records the concept block's features (<see cref="InjectionLexicon.Collect"/>) of the spaced view.</summary>
    private static int Concepts(ReadOnlySpan<char> spaced, ulong[] seen, int[] indices, int count)
    {
        Span<int> features = stackalloc int[InjectionLexicon.FeatureCount];
        var found = InjectionLexicon.Collect(spaced, features);
        ref var bits = ref MemoryMarshal.GetArrayDataReference(seen);
        ref var output = ref MemoryMarshal.GetArrayDataReference(indices);
        foreach (var feature in features[..found])
        {
            count = Add(ref bits, ref output, count, ConceptIndices[feature]);
        }

        return count;
    }

    private static int[] BuildConceptIndices()
    {
        var indices = new int[InjectionLexicon.FeatureCount];
        for (var i = 0; i < indices.Length; i++)
        {
            // Distinct indices by construction (a collision moves to the next free weight), so no two concept features
            // share a weight.
            var index = (int)(Finish(Hash(InjectionLexicon.FeatureName(i), FnvOffset ^ ConceptSeed)) & Mask);
            while (indices.AsSpan(0, i).Contains(index))
            {
                index = (index + 1) & (int)Mask;
            }

            indices[i] = index;
        }

        return indices;
    }

    /// <summary>Per-thread scratch space for a window's features (indices and values in emission order).</summary>
    internal sealed class FeatureBuffer
    {
        [ThreadStatic]
        private static FeatureBuffer[]? forThread;

        private FeatureBuffer()
        {
        }

        /// <summary>Gets the weight indices.</summary>
        public int[] Indices { get; private set; } = new int[4096];

        /// <summary>Gets the feature values.</summary>
        public float[] Values { get; private set; } = new float[4096];

        /// <summary>Gets scratch space for indices that wait for their block (as long as <see cref="Indices"/>).</summary>
        public int[] Scratch { get; private set; } = new int[4096];

        /// <summary>Gets this thread's buffer number <paramref name="slot"/> (0 to 4; slot 0 is the one <see cref="Extract{TVisitor}"/> uses).</summary>
        /// <param name="slot">The slot.</param>
        /// <returns>The buffer.</returns>
        public static FeatureBuffer ForThread(int slot)
        {
            var buffers = forThread ??= new FeatureBuffer[5];
            return buffers[slot] ??= new FeatureBuffer();
        }

        /// <summary>Makes room for <paramref name="capacity"/> features.</summary>
        /// <param name="capacity">The number of features.</param>
        public void EnsureCapacity(int capacity)
        {
            if (Indices.Length < capacity)
            {
                var size = Math.Max(capacity, Indices.Length * 2);
                Indices = new int[size];
                Values = new float[size];
                Scratch = new int[size];
            }
        }
    }

    [ThreadStatic]
    private static ulong[]? seenForThread;

    /// <summary>
    /// Records a feature index unless the block already has it: the index is written at <paramref name="count"/> either
    /// way and kept (count advanced) only when new, without a branch. <paramref name="seen"/> has a bit per weight; every
    /// index is masked below <see cref="Dimensions"/> and the caller made room, so neither access needs a bounds check.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Add(ref ulong seen, ref int indices, int count, int index)
    {
        ref var word = ref Unsafe.Add(ref seen, index >> 6);
        var bits = word;
        Unsafe.Add(ref indices, count) = index;
        word = bits | (1UL << index);
        return count + (int)(~(bits >> index) & 1);
    }

    /// <summary>Gives the features of one block (indices from <paramref name="start"/> to <paramref name="end"/>) the block's normalised value and clears their bits.</summary>
    private static int Emit(ulong[] seen, int[] indices, float[] values, int start, int end, int minimum)
    {
        var count = end - start;
        if (count == 0)
        {
            return end;
        }

        var value = 1f / MathF.Sqrt(Math.Max(count, minimum));
        values.AsSpan(start, count).Fill(value);
        ref var bits = ref MemoryMarshal.GetArrayDataReference(seen);
        foreach (var index in indices.AsSpan(start, count))
        {
            Unsafe.Add(ref bits, index >> 6) = 0;
        }

        return end;
    }

    // Whitespace other than the plain space (char.IsWhiteSpace's set): a folded view without any, without doubled spaces
    // and without leading or trailing space is read as " " + folded + " " as it is.
    private static readonly SearchValues<char> OtherWhitespace = BuildOtherWhitespace();

    [ThreadStatic]
    private static char[]? streamForThread;

    private static int CharGrams(ReadOnlySpan<char> folded, ulong[] seen, int[] indices, int count)
    {
        if (Avx512DQ.IsSupported && folded.Length >= 16 && folded[0] != ' ' && folded[^1] != ' '
            && !folded.ContainsAny(OtherWhitespace) && !folded.Contains("  ", StringComparison.Ordinal))
        {
            return CharGramsVectorized(folded, seen, indices, count);
        }

        // The text is read as " " + folded (whitespace runs collapsed to one space) + " ". The last four characters
        // live in one 64-bit register (16 bits each), so each n-gram's hash is a few
        // multiplications, with no loop over its characters.
        ref var bits = ref MemoryMarshal.GetArrayDataReference(seen);
        ref var output = ref MemoryMarshal.GetArrayDataReference(indices);
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
                count = Add(ref bits, ref output, count, Mix(last4 & 0xFFFF_FFFF_FFFF, 3));
            }

            if (filled >= 4)
            {
                count = Add(ref bits, ref output, count, Mix(last4, 4));
            }
        }

        return count;
    }

    /// <summary>
    /// <see cref="CharGrams"/> for a folded view that is read as it is (see <see cref="OtherWhitespace"/>): the n-gram
    /// hashes of eight positions at a time in 512-bit registers, then deduplicated in order, so the indices come out as
    /// the scalar loop writes them. Position j of the stream s = " " + folded + " " packs s[j-3..j] into 64 bits; its
    /// 3-gram is the low 48 bits.
    /// </summary>
    private static int CharGramsVectorized(ReadOnlySpan<char> folded, ulong[] seen, int[] indices, int count)
    {
        ref var bits = ref MemoryMarshal.GetArrayDataReference(seen);
        ref var output = ref MemoryMarshal.GetArrayDataReference(indices);
        var length = folded.Length + 2;
        var stream = streamForThread is { } cached && cached.Length >= length ? cached : streamForThread = new char[Math.Max(length, 1024)];
        stream[0] = ' ';
        folded.CopyTo(stream.AsSpan(1));
        stream[length - 1] = ' ';
        ref var s = ref MemoryMarshal.GetArrayDataReference(stream);

        // j = 2: the first 3-gram; the 4-grams start at j = 3.
        count = Add(ref bits, ref output, count, Mix(((ulong)s << 32) | ((ulong)Unsafe.Add(ref s, 1) << 16) | Unsafe.Add(ref s, 2), 3));
        Span<int> hashes = stackalloc int[16];
        ref var h = ref MemoryMarshal.GetReference(hashes);
        var seed3 = Vector512.Create(unchecked(3UL * 0xD6E8FEB86659FD93));
        var seed4 = Vector512.Create(unchecked(4UL * 0xD6E8FEB86659FD93));
        var low48 = Vector512.Create(0xFFFF_FFFF_FFFFUL);
        var mask = Vector256.Create((int)Mask);
        var j = 3;
        for (; j + 8 <= length; j += 8)
        {
            var a = Avx512F.ConvertToVector512UInt64(Vector128.LoadUnsafe(ref Unsafe.As<char, ushort>(ref s), (nuint)(j - 3)));
            var b = Avx512F.ConvertToVector512UInt64(Vector128.LoadUnsafe(ref Unsafe.As<char, ushort>(ref s), (nuint)(j - 2)));
            var c = Avx512F.ConvertToVector512UInt64(Vector128.LoadUnsafe(ref Unsafe.As<char, ushort>(ref s), (nuint)(j - 1)));
            var d = Avx512F.ConvertToVector512UInt64(Vector128.LoadUnsafe(ref Unsafe.As<char, ushort>(ref s), (nuint)j));
            var packed = (a << 48) | (b << 32) | (c << 16) | d;
            var three = Avx512F.ConvertToVector256UInt32(Mix(packed & low48, seed3)).AsInt32() & mask;
            var four = Avx512F.ConvertToVector256UInt32(Mix(packed, seed4)).AsInt32() & mask;
            three.StoreUnsafe(ref h);
            four.StoreUnsafe(ref h, 8);
            for (var k = 0; k < 8; k++)
            {
                count = Add(ref bits, ref output, count, Unsafe.Add(ref h, k));
                count = Add(ref bits, ref output, count, Unsafe.Add(ref h, 8 + k));
            }
        }

        for (; j < length; j++)
        {
            var packed = ((ulong)Unsafe.Add(ref s, j - 3) << 48) | ((ulong)Unsafe.Add(ref s, j - 2) << 32) | ((ulong)Unsafe.Add(ref s, j - 1) << 16) | Unsafe.Add(ref s, j);
            count = Add(ref bits, ref output, count, Mix(packed & 0xFFFF_FFFF_FFFF, 3));
            count = Add(ref bits, ref output, count, Mix(packed, 4));
        }

        return count;
    }

    private static SearchValues<char> BuildOtherWhitespace()
    {
        var characters = new List<char>();
        for (var c = 0; c <= char.MaxValue; c++)
        {
            if (char.IsWhiteSpace((char)c) && c != ' ')
            {
                characters.Add((char)c);
            }
        }

        return SearchValues.Create(characters.ToArray());
    }

    /// <summary><see cref="Mix(ulong, int)"/> on eight values (the seed already multiplied), all 64 bits kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mix(Vector512<ulong> x, Vector512<ulong> seed)
    {
        x ^= seed;
        x ^= x >>> 32;
        x *= Vector512.Create(0xBF58476D1CE4E5B9UL);
        x ^= x >>> 29;
        x *= Vector512.Create(0x94D049BB133111EBUL);
        x ^= x >>> 32;
        return x;
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

    /// <summary>
    /// <see cref="Words"/> with the spaced seeds, and the same words' indices with the outside-quotations seeds written to
    /// <paramref name="pending"/> in their order (not deduplicated).
    /// </summary>
    private static int WordsTwice(ReadOnlySpan<char> spaced, ulong[] seen, int[] indices, int count, int[] pending, out int words, out int pendingCount)
    {
        ref var bits = ref MemoryMarshal.GetArrayDataReference(seen);
        ref var output = ref MemoryMarshal.GetArrayDataReference(indices);
        ref var later = ref MemoryMarshal.GetArrayDataReference(pending);
        words = 0;
        var waiting = 0;
        uint previous = 0;
        uint previousOutside = 0;
        var start = 0;
        while (true)
        {
            while (start < spaced.Length && spaced[start] == ' ')
            {
                start++;
            }

            if (start == spaced.Length)
            {
                break;
            }

            // FNV-1a (as Hash) with both seeds at once.
            var word = FnvOffset ^ WordSeed;
            var outside = FnvOffset ^ OutsideWordSeed;
            var end = start;
            while (end < spaced.Length && spaced[end] != ' ')
            {
                var c = spaced[end];
                word = (word ^ c) * FnvPrime;
                outside = (outside ^ c) * FnvPrime;
                end++;
            }

            count = Add(ref bits, ref output, count, (int)(Finish(word) & Mask));
            Unsafe.Add(ref later, waiting++) = (int)(Finish(outside) & Mask);
            if (words > 0)
            {
                count = Add(ref bits, ref output, count, (int)(Finish((previous * 31) ^ word ^ BigramSeed) & Mask));
                Unsafe.Add(ref later, waiting++) = (int)(Finish((previousOutside * 31) ^ outside ^ OutsideBigramSeed) & Mask);
            }

            previous = word;
            previousOutside = outside;
            start = end;
            words++;
        }

        pendingCount = waiting;
        return count;
    }

    private static int Words(ReadOnlySpan<char> spaced, uint wordSeed, uint bigramSeed, ulong[] seen, int[] indices, int count, out int words)
    {
        ref var bits = ref MemoryMarshal.GetArrayDataReference(seen);
        ref var output = ref MemoryMarshal.GetArrayDataReference(indices);
        words = 0;
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
            count = Add(ref bits, ref output, count, (int)(Finish(word) & Mask));
            if (hasPrevious)
            {
                count = Add(ref bits, ref output, count, (int)(Finish((previous * 31) ^ word ^ bigramSeed) & Mask));
            }

            previous = word;
            hasPrevious = true;
            start = end;
            words++;
        }

        return count;
    }

    private static int Rules(double ruleScore, IReadOnlyList<string> ruleFamilies, int words, int[] indices, float[] values, int count)
    {
        // Short-text band: an instruction needs a few words, and the model learns how much a short text can say. Longer
        // texts get no length feature, so length itself can never count as evidence of an attack.
        if (words <= 12)
        {
            var length = words <= 2 ? "1-2" : words <= 5 ? "3-5" : "6-12";
            (indices[count], values[count]) = ((int)(Finish(Hash(length, WordsPrefix)) & Mask), 1f);
            count++;
        }

        // Score bands: none, weak (discounted meta-discussion lands here), strong, certain.
        var band = ruleScore <= 0 ? "none" : ruleScore < 0.35 ? "weak" : ruleScore < 0.5 ? "near" : ruleScore < 0.85 ? "strong" : "certain";
        (indices[count], values[count]) = ((int)(Finish(Hash(band, BandPrefix)) & Mask), 1f);
        count++;
        foreach (var family in ruleFamilies)
        {
            (indices[count], values[count]) = ((int)(Finish(Hash(family, FamilyPrefix)) & Mask), 1f);
            count++;
        }

        return count;
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

    /// <summary>
    /// FNV-1a's low bits mix poorly; a final avalanche (the murmur3 finaliser) spreads every input bit over the index.
    /// The training tool's candidate blocks hash with it too, so their indexes mix the same way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Finish(uint hash)
    {
        hash ^= hash >> 16;
        hash *= 0x85EBCA6B;
        hash ^= hash >> 13;
        hash *= 0xC2B2AE35;
        hash ^= hash >> 16;
        return hash;
    }
}
