namespace LlmOps.Retrieval;

/// <summary>
/// The closed word lists behind <see cref="GroundednessScorer"/>'s contradiction cues: negation words, pairs of
/// opposite words (with their common inflections), units of measure grouped by dimension, number words and scale words,
/// and the conjunctions that start a new clause. All lookups take a lower-case word and allocate nothing.
/// </summary>
/// <remarks>
/// The lists are general English, written for this project from the words' meanings, not from any data set; a word may
/// belong to several opposite pairs ("lower" is the opposite of "higher" and of "raise").
/// </remarks>
internal static class SupportLexicon
{
    /// <summary>Units of measure, lower case, singular and plural and common symbols, with their dimension.</summary>
    private static readonly (string Dimension, string Canonical, string[] Forms)[] UnitTable =
    [
        ("time", "second", ["second", "seconds", "sec", "secs"]),
        ("time", "minute", ["minute", "minutes", "min", "mins"]),
        ("time", "hour", ["hour", "hours", "hr", "hrs", "h"]),
        ("time", "day", ["day", "days"]),
        ("time", "week", ["week", "weeks"]),
        ("time", "month", ["month", "months"]),
        ("time", "year", ["year", "years", "yr", "yrs"]),
        ("time", "decade", ["decade", "decades"]),
        ("time", "century", ["century", "centuries"]),
        ("length", "millimetre", ["millimetre", "millimetres", "millimeter", "millimeters", "mm"]),
        ("length", "centimetre", ["centimetre", "centimetres", "centimeter", "centimeters", "cm"]),
        ("length", "metre", ["metre", "metres", "meter", "meters", "m"]),
        ("length", "kilometre", ["kilometre", "kilometres", "kilometer", "kilometers", "km"]),
        ("length", "inch", ["inch", "inches"]),
        ("length", "foot", ["foot", "feet", "ft"]),
        ("length", "yard", ["yard", "yards"]),
        ("length", "mile", ["mile", "miles"]),
        ("mass", "milligram", ["milligram", "milligrams", "mg"]),
        ("mass", "gram", ["gram", "grams", "g"]),
        ("mass", "kilogram", ["kilogram", "kilograms", "kilo", "kilos", "kg"]),
        ("mass", "tonne", ["tonne", "tonnes", "ton", "tons"]),
        ("mass", "pound", ["pound", "pounds", "lb", "lbs"]),
        ("mass", "ounce", ["ounce", "ounces", "oz"]),
        ("volume", "millilitre", ["millilitre", "millilitres", "milliliter", "milliliters", "ml"]),
        ("volume", "litre", ["litre", "litres", "liter", "liters", "l"]),
        ("volume", "gallon", ["gallon", "gallons"]),
        ("volume", "pint", ["pint", "pints"]),
        ("money", "euro", ["euro", "euros", "eur", "€"]),
        ("money", "dollar", ["dollar", "dollars", "usd", "$"]),
        ("money", "cent", ["cent", "cents"]),
        ("money", "yen", ["yen"]),
        ("money", "sterling", ["£", "gbp"]),
        ("temperature", "celsius", ["celsius"]),
        ("temperature", "fahrenheit", ["fahrenheit"]),
        ("data", "byte", ["byte", "bytes"]),
        ("data", "kilobyte", ["kilobyte", "kilobytes", "kb"]),
        ("data", "megabyte", ["megabyte", "megabytes", "mb"]),
        ("data", "gigabyte", ["gigabyte", "gigabytes", "gb"]),
        ("data", "terabyte", ["terabyte", "terabytes", "tb"]),
        ("power", "watt", ["watt", "watts", "w"]),
        ("power", "kilowatt", ["kilowatt", "kilowatts", "kw"]),
        ("scale", "thousand", ["thousand", "thousands"]),
        ("scale", "million", ["million", "millions"]),
        ("scale", "billion", ["billion", "billions"]),
        ("scale", "trillion", ["trillion", "trillions"]),
        ("ratio", "percent", ["percent", "%"]),
        ("clock", "am", ["am"]),
        ("clock", "pm", ["pm"]),
    ];

    /// <summary>Opposite words: each line is two groups of forms, the two poles of one contrast.</summary>
    private static readonly string[] OppositeTable =
    [
        "more|less fewer",
        "higher high highest|lower low lowest",
        "rise rises rising rose risen|fall falls falling fell fallen drop drops dropped dropping",
        "increase increases increased increasing|decrease decreases decreased decreasing reduce reduces reduced reducing",
        "raise raises raised raising|lower lowers lowered lowering cut cuts",
        "grow grows grew grown growing|shrink shrinks shrank shrunk shrinking",
        "gain gains gained gaining|lose loses lost losing loss losses",
        "win wins won winning|lose loses lost losing",
        "profit profits|loss losses",
        "male males men man|female females women woman",
        "boy boys|girl girls",
        "earlier early|later late",
        "first|last",
        "beginning start starts started starting begin begins began|end ends ended ending finish finishes finished stop stops stopped",
        "open opens opened opening|close closes closed closing shut shuts",
        "longest longer long|shortest shorter short",
        "tallest taller tall|shortest shorter short",
        "largest larger large biggest bigger big|smallest smaller small",
        "maximum max|minimum min",
        "most|least",
        "best better|worst worse",
        "above|below",
        "inside|outside",
        "inner|outer",
        "internal|external",
        "upper|lower",
        "accept accepts accepted accepting|reject rejects rejected rejecting refuse refuses refused",
        "approve approves approved approving|reject rejects rejected rejecting",
        "allow allows allowed allowing permitted|forbid forbids forbidden prohibited banned",
        "include includes included including|exclude excludes excluded excluding",
        "always|never",
        "up|down",
        "north northern|south southern",
        "east eastern|west western",
        "left|right",
        "top|bottom",
        "hot hotter|cold colder",
        "warm warmer warming|cool cooler cooling",
        "wet|dry",
        "light lighter|dark darker",
        "light lighter|heavy heavier",
        "fast faster fastest quick quicker|slow slower slowest",
        "cheap cheaper cheapest|expensive",
        "easy easier easiest|difficult hard harder",
        "strong stronger strongest|weak weaker weakest",
        "young younger youngest|old older oldest",
        "new newer newest|old older oldest",
        "safe safer|dangerous",
        "true|false",
        "correct|wrong incorrect",
        "positive|negative",
        "full|empty",
        "thick thicker|thin thinner",
        "wide wider|narrow narrower",
        "deep deeper|shallow",
        "rich richer|poor poorer",
        "same|different",
        "import imports imported|export exports exported",
        "buy buys bought|sell sells sold",
        "add adds added|remove removes removed",
        "enable enables enabled|disable disables disabled",
        "public|private",
        "online|offline",
        "present|absent",
        "alive|dead",
        "mandatory required compulsory|optional voluntary",
        "succeed succeeds succeeded success successful|fail fails failed failure",
        "send sends sent|receive receives received",
        "arrive arrives arrived|depart departs departed",
        "day|night",
        "summer|winter",
        "input inputs|output outputs",
        "majority|minority",
        "major|minor",
        "push pushes pushed|pull pulls pulled",
    ];

    private static readonly Dictionary<string, (int Id, int Dimension)> Units = BuildUnits();
    private static readonly Dictionary<string, (int Id, int Dimension)>.AlternateLookup<ReadOnlySpan<char>> UnitLookup =
        Units.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly Dictionary<string, ulong[]> Opposites = BuildOpposites();

    // One bit per (length, first, second and last letter) signature of the opposite words: most words miss it, and
    // skip the dictionary lookup.
    private static readonly ulong[] OppositeSignatures = BuildSignatures(Opposites.Keys);
    private static readonly Dictionary<string, ulong[]>.AlternateLookup<ReadOnlySpan<char>> OppositeLookup =
        Opposites.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly Dictionary<string, double> NumberWords = new(StringComparer.Ordinal)
    {
        ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6, ["seven"] = 7, ["eight"] = 8,
        ["nine"] = 9, ["ten"] = 10, ["eleven"] = 11, ["twelve"] = 12, ["thirteen"] = 13, ["fourteen"] = 14,
        ["fifteen"] = 15, ["sixteen"] = 16, ["seventeen"] = 17, ["eighteen"] = 18, ["nineteen"] = 19, ["twenty"] = 20,
        ["thirty"] = 30, ["forty"] = 40, ["fifty"] = 50, ["sixty"] = 60, ["seventy"] = 70, ["eighty"] = 80,
        ["ninety"] = 90, ["hundred"] = 100, ["dozen"] = 12,
    };

    private static readonly Dictionary<string, double>.AlternateLookup<ReadOnlySpan<char>> NumberWordLookup =
        NumberWords.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> CountWordLookup =
        new HashSet<string>([.. NumberWords.Keys, .. OrdinalWords, "a", "an", "per", "every", "each"], StringComparer.OrdinalIgnoreCase)
            .GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly Dictionary<string, double> Scales = new(StringComparer.Ordinal)
    {
        ["thousand"] = 1e3, ["thousands"] = 1e3, ["million"] = 1e6, ["millions"] = 1e6, ["billion"] = 1e9,
        ["billions"] = 1e9, ["trillion"] = 1e12, ["trillions"] = 1e12, ["k"] = 1e3, ["bn"] = 1e9,
    };

    private static readonly Dictionary<string, double>.AlternateLookup<ReadOnlySpan<char>> ScaleLookup =
        Scales.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Gets the number, scale, unit and negation words, whose analyzer terms do not count as content terms (quantities
    /// are checked exactly, units by dimension, negations clause by clause).
    /// </summary>
    public static IEnumerable<string> UncountedWords => NumberWords.Keys.Concat(Scales.Keys).Concat(OrdinalWords)
        .Concat(Units.Keys.Where(static u => u.All(char.IsLetter))).Concat(NegationWords);

    private static string[] NegationWords =>
    [
        "never", "cannot", "none", "nothing", "without", "nor", "neither", "nobody", "nowhere", "zero", "don't", "doesn't",
        "didn't", "can't", "won't", "isn't", "aren't", "wasn't", "weren't", "shouldn't", "couldn't", "wouldn't", "hasn't",
        "haven't", "hadn't", "mustn't", "needn't",
    ];

    private static string[] OrdinalWords => ["second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];

    /// <summary>Whether a lower-case word negates its clause: "not", "no", "never", "cannot", "without", "nothing", "zero", any "n't"...</summary>
    public static bool IsNegation(ReadOnlySpan<char> lower) =>
        lower is "not" or "no" or "never" or "cannot" or "none" or "nor" or "neither" or "without" or "nothing"
            or "nobody" or "nowhere" or "zero"
        || lower.EndsWith("n't", StringComparison.Ordinal) || lower.EndsWith("n\u2019t", StringComparison.Ordinal);

    /// <summary>Whether a lower-case word starts a new clause: "but", "while", "whereas", "although", "though".</summary>
    public static bool IsClauseWord(ReadOnlySpan<char> lower) =>
        lower is "but" or "while" or "whereas" or "although" or "though";

    /// <summary>The unit a lower-case word names, with its dimension; <see langword="false"/> for other words.</summary>
    public static bool TryUnit(ReadOnlySpan<char> lower, out int id, out int dimension)
    {
        if (UnitLookup.TryGetValue(lower, out var unit))
        {
            (id, dimension) = unit;
            return true;
        }

        (id, dimension) = (0, 0);
        return false;
    }

    /// <summary>The opposite keys of a lower-case word (concept × 2 + pole); empty for a word without an opposite.</summary>
    public static ReadOnlySpan<ulong> OppositeKeys(ReadOnlySpan<char> lower)
    {
        var signature = Signature(lower);
        return (OppositeSignatures[signature >> 6] & (1UL << (signature & 63))) != 0 && OppositeLookup.TryGetValue(lower, out var keys) ? keys : [];
    }

    /// <summary>
    /// A quick filter on a word as written (no lower-casing, no lookup): whether it may be a negation (it starts with
    /// "n", "c", "w" or "z", or has an apostrophe), an "un-"/"non-" word, or a word with an opposite (its signature is
    /// one of theirs). Non-ASCII words always may.
    /// </summary>
    public static bool MayMatter(ReadOnlySpan<char> word)
    {
        if (word.Length < 2 || !char.IsAscii(word[0]) || !char.IsAscii(word[1]) || !char.IsAscii(word[^1]))
        {
            return true;
        }

        var first = (char)(word[0] | 0x20);
        if (first is 'n' or 'c' or 'w' or 'z' or 'u' || word.Contains('\'') || word.Contains('\u2019'))
        {
            return true;
        }

        var signature = ((word.Length * 977) + (first * 131) + ((word[1] | 0x20) * 31) + (word[^1] | 0x20)) & 4095;
        return (OppositeSignatures[signature >> 6] & (1UL << (signature & 63))) != 0;
    }

    private static int Signature(ReadOnlySpan<char> lower) =>
        lower.Length < 2 ? 0 : ((lower.Length * 977) + (lower[0] * 131) + (lower[1] * 31) + lower[^1]) & 4095;

    private static ulong[] BuildSignatures(IEnumerable<string> words)
    {
        var bits = new ulong[64];
        foreach (var word in words)
        {
            var signature = Signature(word);
            bits[signature >> 6] |= 1UL << (signature & 63);
        }

        return bits;
    }

    /// <summary>The value of a number word ("three", "twelve", "dozen"); <see langword="false"/> for other words.</summary>
    public static bool TryNumberWord(ReadOnlySpan<char> lower, out double value) => NumberWordLookup.TryGetValue(lower, out value);

    /// <summary>The value of an ordinal word from "second" to "tenth" ("first" and "last" are left to the opposite pairs).</summary>
    public static bool TryOrdinal(ReadOnlySpan<char> lower, out double value)
    {
        value = lower switch
        {
            "second" => 2, "third" => 3, "fourth" => 4, "fifth" => 5, "sixth" => 6, "seventh" => 7, "eighth" => 8,
            "ninth" => 9, "tenth" => 10, _ => 0,
        };
        return value > 0;
    }

    /// <summary>
    /// Whether a word as written (any case) is a number word, an ordinal, or one of "a", "an", "per", "every", "each": the
    /// only words an answer's quantity reading looks at when no number is pending.
    /// </summary>
    public static bool MayCount(ReadOnlySpan<char> word) => word.Length <= 9 && CountWordLookup.Contains(word);

    /// <summary>The factor of a scale word ("million" is 10^6); <see langword="false"/> for other words.</summary>
    public static bool TryScale(ReadOnlySpan<char> lower, out double factor) => ScaleLookup.TryGetValue(lower, out factor);

    private static Dictionary<string, (int, int)> BuildUnits()
    {
        var names = new List<string>();
        var map = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        for (var i = 0; i < UnitTable.Length; i++)
        {
            var (dimension, _, forms) = UnitTable[i];
            var d = names.IndexOf(dimension);
            if (d < 0)
            {
                d = names.Count;
                names.Add(dimension);
            }

            foreach (var form in forms)
            {
                map.Add(form, (i + 1, d));
            }
        }

        return map;
    }

    private static Dictionary<string, ulong[]> BuildOpposites()
    {
        var lists = new Dictionary<string, List<ulong>>(StringComparer.Ordinal);
        for (var concept = 0; concept < OppositeTable.Length; concept++)
        {
            var poles = OppositeTable[concept].Split('|');
            for (var pole = 0; pole < 2; pole++)
            {
                foreach (var word in poles[pole].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!lists.TryGetValue(word, out var keys))
                    {
                        lists[word] = keys = [];
                    }

                    var key = ((ulong)concept * 2) + (ulong)pole;
                    if (!keys.Contains(key))
                    {
                        keys.Add(key);
                    }
                }
            }
        }

        var map = new Dictionary<string, ulong[]>(StringComparer.Ordinal);
        foreach (var (word, keys) in lists)
        {
            map[word] = [.. keys];
        }

        return map;
    }
}
