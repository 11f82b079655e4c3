using System.Collections.Frozen;
using System.Numerics;
using LlmOps.Retrieval;

namespace LlmOps.Caching;

/// <summary>
/// Turns a question into the ordered token sequence that the pair check (<see cref="CachePairFeatures"/>) compares: one
/// 64-bit value per word (the 56-bit hash of its lower-cased Porter stem, with its <see cref="CachePairTokenClass"/> in
/// the top byte) and two 64-bit sketches per word: its set of character trigrams and its shape (first eight letters and
/// length), from which the pair check tells spelling variants, typos and abbreviations. No text is kept.
/// </summary>
/// <remarks>
/// The classes come from the closed word classes of English (function words, modals, scope words, negations, pivots),
/// the shape of a word (digits, times, capitalisation) and its neighbours (a word before "than" is a comparative), not
/// from lists of content words, so the check generalises to words it has never seen.
/// </remarks>
internal static class CachePairTokenizer
{
    /// <summary>The most words kept per question; a longer question's pair check sees its first words only.</summary>
    public const int MaxTokens = 96;

    private const ulong HashMask = (1UL << 56) - 1;

    private static readonly FrozenDictionary<string, CachePairTokenClass> ClosedClasses = BuildClosedClasses();
    private static readonly FrozenDictionary<string, CachePairTokenClass>.AlternateLookup<ReadOnlySpan<char>> ClosedLookup =
        ClosedClasses.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly ulong HowToken = ((ulong)CachePairTokenClass.Question << 56) | (Hash("how") & HashMask);

    private static readonly FrozenDictionary<string, string> BareContractions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["whats"] = "what's", ["hows"] = "how's", ["wheres"] = "where's", ["whos"] = "who's", ["thats"] = "that's", ["theres"] = "there's",
        ["cant"] = "can't", ["dont"] = "don't", ["doesnt"] = "doesn't", ["didnt"] = "didn't", ["isnt"] = "isn't", ["arent"] = "aren't",
        ["wasnt"] = "wasn't", ["werent"] = "weren't", ["wont"] = "won't", ["wouldnt"] = "wouldn't", ["shouldnt"] = "shouldn't",
        ["couldnt"] = "couldn't", ["havent"] = "haven't", ["hasnt"] = "hasn't", ["im"] = "i'm", ["ive"] = "i've", ["youre"] = "you're",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    [ThreadStatic]
    private static Scratch? s_scratch;

    /// <summary>Gets the class stored in a token.</summary>
    public static CachePairTokenClass ClassOf(ulong token) => (CachePairTokenClass)(token >> 56);

    /// <summary>Gets the stem hash stored in a token (the class bits cleared).</summary>
    public static ulong StemOf(ulong token) => token & HashMask;

    /// <summary>The Jaccard similarity of two trigram sketches, in [0, 1].</summary>
    public static float SketchSimilarity(ulong a, ulong b)
    {
        var union = BitOperations.PopCount(a | b);
        return union == 0 ? 0f : (float)BitOperations.PopCount(a & b) / union;
    }

    /// <summary>Tokenises <paramref name="text"/>.</summary>
    /// <returns>The tokens (at most <see cref="MaxTokens"/>) and two sketches per token (trigrams, shape), in order.</returns>
    public static (ulong[] Tokens, ulong[] Sketches) Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var scratch = s_scratch ?? new Scratch();
        s_scratch = null;
        var count = 0;
        var reader = new CacheWordReader(text);
        while (count < MaxTokens && reader.MoveNext())
        {
            count = Add(scratch, count, reader.Word, reader.HasDigit, reader.AtSentenceStart, reader.Word);
        }

        MarkComparatives(scratch, count);
        var tokens = scratch.Tokens.AsSpan(0, count).ToArray();
        var sketches = scratch.Sketches.AsSpan(0, 2 * count).ToArray();
        s_scratch = scratch;
        return (tokens, sketches);
    }

    private static int Add(Scratch scratch, int count, ReadOnlySpan<char> word, bool hasDigit, bool atSentenceStart, ReadOnlySpan<char> original)
    {
        // Contractions typed without the apostrophe ("whats", "cant") read as with it.
        if (word.Length is >= 2 and <= 8 && !word.ContainsAny('\'', '\u2019'))
        {
            Span<char> probe = stackalloc char[word.Length];
            word.ToLowerInvariant(probe);
            if (BareContractions.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(probe, out var spelled))
            {
                word = spelled;
            }
        }

        // Contractions: "don't" is "do" + "not", "can't" is "can" + "not", "what's" is "what" (+ a function word).
        var negated = false;
        if (word.Length > 3 && (word[^2] is '\'' or '\u2019') && (word[^1] is 't' or 'T') && (word[^3] is 'n' or 'N'))
        {
            negated = true;
            word = word[..^3];
            if (word.Equals("ca", StringComparison.OrdinalIgnoreCase))
            {
                word = "can";
            }
            else if (word.Equals("wo", StringComparison.OrdinalIgnoreCase))
            {
                word = "will";
            }
        }
        else
        {
            var apostrophe = word.IndexOfAny('\'', '\u2019');
            if (apostrophe > 0)
            {
                word = word[..apostrophe];
            }
        }

        Span<char> lower = stackalloc char[Math.Min(word.Length, 64)];
        var length = word[..lower.Length].ToLowerInvariant(lower);
        lower = lower[..length];
        var cls = Classify(lower, word, hasDigit, atSentenceStart, scratch, count);
        var sketch = Sketch(lower);
        var shape = Shape(lower);
        var stemLength = cls is CachePairTokenClass.Content or CachePairTokenClass.Entity or CachePairTokenClass.Unit ? PorterStemmer.Stem(lower) : lower.Length;
        var hash = cls == CachePairTokenClass.Number ? HashNumber(lower[..stemLength])
            : cls == CachePairTokenClass.Function && lower is "can" or "could" ? Hash("do")
            : Hash(lower[..stemLength]);
        scratch.Tokens[count] = ((ulong)cls << 56) | (hash & HashMask);
        scratch.Sketches[2 * count] = sketch;
        scratch.Sketches[(2 * count) + 1] = shape;
        count++;
        if (negated && count < MaxTokens)
        {
            scratch.Tokens[count] = ((ulong)CachePairTokenClass.Negation << 56) | (Hash("not") & HashMask);
            scratch.Sketches[2 * count] = Sketch("not");
            scratch.Sketches[(2 * count) + 1] = Shape("not");
            count++;
        }

        return count;
    }

    private static CachePairTokenClass Classify(ReadOnlySpan<char> lower, ReadOnlySpan<char> word, bool hasDigit, bool atSentenceStart, Scratch scratch, int count)
    {
        if (hasDigit)
        {
            // 6am, 6pm, 18:30 are times; 5kg, 10gb are quantities (a number); everything else with a digit is a number.
            if (lower.EndsWith("am") || lower.EndsWith("pm") || lower.Contains(':'))
            {
                return CachePairTokenClass.Time;
            }

            return CachePairTokenClass.Number;
        }

        if (lower is "am" or "pm" && count > 0 && ClassOf(scratch.Tokens[count - 1]) == CachePairTokenClass.Number)
        {
            // "6 pm": the number before it becomes a time too, so 6 am and 6 pm differ in a time token.
            scratch.Tokens[count - 1] = (scratch.Tokens[count - 1] & HashMask) | ((ulong)CachePairTokenClass.Time << 56);
            return CachePairTokenClass.Time;
        }

        // A capital letter on its own inside a sentence is a name ("type A blood", "plan B", "vitamin C"), not the article.
        if (word.Length == 1 && char.IsUpper(word[0]) && !atSentenceStart && word[0] != 'I')
        {
            return CachePairTokenClass.Entity;
        }

        if (ClosedLookup.TryGetValue(lower, out var closed) && !IsAcronym(word))
        {
            // "how can I …" asks what "how do I …" asks: a modal of ability right after "how" is a function word.
            if (closed == CachePairTokenClass.Modal && lower is "can" or "could" && count > 0 && scratch.Tokens[count - 1] == HowToken)
            {
                return CachePairTokenClass.Function;
            }

            return closed;
        }

        if (SemanticCacheFingerprint.IsNumberWord(lower, out var isDate))
        {
            return isDate ? CachePairTokenClass.Date : CachePairTokenClass.Number;
        }

        if (SemanticCacheFingerprint.IsPolarityWord(lower))
        {
            return CachePairTokenClass.Polar;
        }

        if (IsName(word, atSentenceStart))
        {
            return CachePairTokenClass.Entity;
        }

        return CachePairTokenClass.Content;
    }

    /// <summary>Two or more letters, all capitals ("US", "IT"): a name even where the lower-case word is a function word.</summary>
    private static bool IsAcronym(ReadOnlySpan<char> word)
    {
        if (word.Length < 2)
        {
            return false;
        }

        foreach (var ch in word)
        {
            if (!char.IsUpper(ch))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsName(ReadOnlySpan<char> word, bool atSentenceStart)
    {
        if (word.Length == 0)
        {
            return false;
        }

        var inner = false;
        var allUpper = word.Length >= 2;
        for (var i = 0; i < word.Length; i++)
        {
            if (char.IsLetter(word[i]) && !char.IsUpper(word[i]))
            {
                allUpper = false;
            }
            else if (i > 0 && char.IsUpper(word[i]))
            {
                inner = true;
            }
        }

        return allUpper || inner || (char.IsUpper(word[0]) && !atSentenceStart);
    }

    /// <summary>A word right before "than" is a comparative ("safer than", "more than").</summary>
    private static void MarkComparatives(Scratch scratch, int count)
    {
        var than = Hash("than") & HashMask;
        for (var i = 1; i < count; i++)
        {
            if (StemOf(scratch.Tokens[i]) == than && ClassOf(scratch.Tokens[i - 1]) is CachePairTokenClass.Content or CachePairTokenClass.Polar)
            {
                scratch.Tokens[i - 1] = (scratch.Tokens[i - 1] & HashMask) | ((ulong)CachePairTokenClass.Comparative << 56);
            }
        }
    }

    /// <summary>The length stored in a shape.</summary>
    public static int ShapeLength(ulong shape) => (int)(shape >> 40) & 63;

    /// <summary>The letter at <paramref name="index"/> (0–7) stored in a shape: 1–26 for a–z, 27 for any other character, 0 past the end.</summary>
    public static int ShapeLetter(ulong shape, int index) => (int)(shape >> (5 * index)) & 31;

    /// <summary>A word's shape: its first eight characters (5 bits each: 1–26 for a–z, 27 otherwise) and its length (6 bits).</summary>
    private static ulong Shape(ReadOnlySpan<char> lower)
    {
        ulong shape = (ulong)Math.Min(lower.Length, 63) << 40;
        for (var i = 0; i < lower.Length && i < 8; i++)
        {
            var c = lower[i];
            var code = c is >= 'a' and <= 'z' ? (ulong)(c - 'a' + 1) : 27UL;
            shape |= code << (5 * i);
        }

        return shape;
    }

    /// <summary>A 64-bit set of the word's character trigrams, with boundary marks ("^wo", "wor", …, "rd$").</summary>
    private static ulong Sketch(ReadOnlySpan<char> lower)
    {
        ulong sketch = 0;
        var previous2 = '^';
        var previous1 = '^';
        for (var i = 0; i <= lower.Length; i++)
        {
            var c = i < lower.Length ? lower[i] : '$';
            if (i >= 1)
            {
                var h = ((uint)previous2 * 31 + previous1) * 31 + c;
                h *= 2654435761u;
                sketch |= 1UL << (int)(h >> 26);
            }

            previous2 = previous1;
            previous1 = c;
        }

        return sketch;
    }

    private static ulong HashNumber(ReadOnlySpan<char> value)
    {
        // 50,000 and 50000 are the same number; 1st and 1 too.
        Span<char> buffer = stackalloc char[value.Length];
        var n = 0;
        foreach (var ch in value)
        {
            if (ch != ',')
            {
                buffer[n++] = ch;
            }
        }

        var digits = buffer[..n];
        if (digits.Length > 2 && char.IsDigit(digits[0]) && (digits.EndsWith("st") || digits.EndsWith("nd") || digits.EndsWith("rd") || digits.EndsWith("th")))
        {
            digits = digits[..^2];
        }

        return Hash(digits);
    }

    /// <summary>FNV-1a: stable across processes, so stores may persist the tokens.</summary>
    private static ulong Hash(ReadOnlySpan<char> text)
    {
        var hash = 14695981039346656037UL;
        foreach (var ch in text)
        {
            hash = (hash ^ ch) * 1099511628211UL;
        }

        return hash;
    }

    private static FrozenDictionary<string, CachePairTokenClass> BuildClosedClasses()
    {
        var map = new Dictionary<string, CachePairTokenClass>(StringComparer.Ordinal);
        void Add(CachePairTokenClass cls, string words)
        {
            foreach (var w in words.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                map[w] = cls;
            }
        }

        // Closed classes of English: determiners, pronouns, auxiliaries, conjunctions, most prepositions, and the
        // fillers of polite requests.
        Add(CachePairTokenClass.Function,
            "a an the this that these those my your our their his her its me you we they he she it i us them him mine yours "
            + "is are was were be been being am do does did done doing have has had having get got "
            + "and or but so if then else also just too very really quite of in on at by for with about as "
            + "again there here some much many any "
            + "please pls kindly thanks thank hi hello hey ok okay tell explain show give let know want need like would "
            + "could possible way ways thing things guys someone somebody anyone anybody something anything");
        Add(CachePairTokenClass.Question, "what how why when where who whom whose which whether");
        Add(CachePairTokenClass.Negation, "not no never none nobody nothing neither nor cannot nowhere without");
        Add(CachePairTokenClass.Modal, "can must should shall may might will ought");
        Add(CachePairTokenClass.Scope, "all every each only any both either just entire whole single several few most");
        Add(CachePairTokenClass.Pivot, "to from than vs versus into per between toward towards onto");
        Add(CachePairTokenClass.Comparative, "more less better worse best worst fewer greater most least");
        Add(CachePairTokenClass.Time, "noon midnight morning afternoon evening night tonight o'clock oclock hour hours minute minutes");
        Add(CachePairTokenClass.Unit,
            "kg kgs kilogram kilograms g gram grams lb lbs pound pounds oz ounce ounces ton tons tonne tonnes "
            + "km kilometer kilometers kilometre kilometres m meter meters metre metres cm mm mile miles mi ft foot feet inch inches yard yards "
            + "l liter liters litre litres ml gallon gallons cup cups quart pint "
            + "c f celsius fahrenheit kelvin degree degrees percent kb mb gb tb kbps mbps gbps hz khz mhz ghz w kw kwh watt watts volt volts "
            + "usd eur gbp jpy chf cad aud inr cny dollar dollars euro euros yen franc francs rupee rupees yuan peso pesos "
            + "mph kph second seconds sec secs ms day days week weeks month months year years");
        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed class Scratch
    {
        public ulong[] Tokens { get; } = new ulong[MaxTokens];

        public ulong[] Sketches { get; } = new ulong[2 * MaxTokens];
    }
}
