using System.Collections.Frozen;

namespace LlmOps.Caching;

/// <summary>
/// The lexical features of a cached question that the false-hit guards compare: polarity, negation, numbers and
/// dates, quoted strings and capitalised entities. Everything except the polarity bits is kept as 64-bit hashes, so
/// a store never needs the raw question text to run the guards.
/// </summary>
/// <remarks>
/// Create one with <see cref="Create"/>; compare two with <see cref="Compare"/>. Stores that persist entries can
/// round-trip the fingerprint through its public properties and constructor.
/// </remarks>
public sealed class SemanticCacheFingerprint
{
    private const int MaxAxes = 32;

    private static readonly FrozenDictionary<string, int> PolarityWords = BuildPolarityWords();
    private static readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> PolarityLookup =
        PolarityWords.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenDictionary<string, string> NumberWords = BuildNumberWords();
    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> NumberLookup =
        NumberWords.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string> Negations = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase, "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "cannot", "nowhere");
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> NegationLookup =
        Negations.GetAlternateLookup<ReadOnlySpan<char>>();

    // Words after which "in"/"out" flip meaning (log in / log out, zoom in / zoom out).
    private static readonly FrozenSet<string> InOutVerbs = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase, "log", "logged", "logging", "sign", "signed", "signing", "zoom", "zooming", "opt", "opted", "check", "checked", "plug", "plugged", "clock", "clocked", "cash");
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> InOutLookup =
        InOutVerbs.GetAlternateLookup<ReadOnlySpan<char>>();

    // Capitalised words that are not names even when they are not first in a sentence.
    private static readonly FrozenSet<string> NotEntities = FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "i", "i'm", "i've", "i'll", "i'd", "ok", "okay");
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> NotEntityLookup =
        NotEntities.GetAlternateLookup<ReadOnlySpan<char>>();

    [ThreadStatic]
    private static Scratch? s_scratch;

    private CachePairWordIndexes? _pairIndexes;

    /// <summary>Initializes a new instance of the <see cref="SemanticCacheFingerprint"/> class from stored parts, without the word sequence.</summary>
    /// <param name="polarity">Two bits per polarity axis: bit 0 the positive pole seen, bit 1 the negative pole.</param>
    /// <param name="negated">Whether the question holds an odd number of negations.</param>
    /// <param name="numbers">Sorted, distinct hashes of the numbers and dates.</param>
    /// <param name="quoted">Sorted, distinct hashes of the quoted strings.</param>
    /// <param name="entities">Sorted, distinct hashes of the entities.</param>
    /// <param name="words">Sorted, distinct hashes of every word, lower-cased.</param>
    /// <remarks>A fingerprint without <see cref="Sequence"/> fails the pair check (<see cref="SemanticCacheGuards.PairCheck"/>).</remarks>
    /// <exception cref="ArgumentNullException">An array is <see langword="null"/>.</exception>
    public SemanticCacheFingerprint(ulong polarity, bool negated, ulong[] numbers, ulong[] quoted, ulong[] entities, ulong[] words)
        : this(polarity, negated, numbers, quoted, entities, words, [], [])
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SemanticCacheFingerprint"/> class from stored parts.</summary>
    /// <param name="polarity">Two bits per polarity axis: bit 0 the positive pole seen, bit 1 the negative pole.</param>
    /// <param name="negated">Whether the question holds an odd number of negations.</param>
    /// <param name="numbers">Sorted, distinct hashes of the numbers and dates.</param>
    /// <param name="quoted">Sorted, distinct hashes of the quoted strings.</param>
    /// <param name="entities">Sorted, distinct hashes of the entities.</param>
    /// <param name="words">Sorted, distinct hashes of every word, lower-cased.</param>
    /// <param name="sequence">The words in order, as the pair check reads them (<see cref="Sequence"/>).</param>
    /// <param name="sketches">Two sketches per word of <paramref name="sequence"/> (<see cref="Sketches"/>).</param>
    /// <exception cref="ArgumentNullException">An array is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="sketches"/> is not twice as long as <paramref name="sequence"/>.</exception>
    public SemanticCacheFingerprint(ulong polarity, bool negated, ulong[] numbers, ulong[] quoted, ulong[] entities, ulong[] words, ulong[] sequence, ulong[] sketches)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        ArgumentNullException.ThrowIfNull(sketches);
        if (sketches.Length != 2 * sequence.Length)
        {
            throw new ArgumentException($"The pair-check sequence has {sequence.Length} words, so it needs {2 * sequence.Length} sketches, not {sketches.Length}; store and pass both arrays of the same fingerprint.", nameof(sketches));
        }

        Sequence = sequence;
        Sketches = sketches;
        ArgumentNullException.ThrowIfNull(numbers);
        ArgumentNullException.ThrowIfNull(quoted);
        ArgumentNullException.ThrowIfNull(entities);
        ArgumentNullException.ThrowIfNull(words);
        Polarity = polarity;
        Negated = negated;
        Numbers = numbers;
        Quoted = quoted;
        Entities = entities;
        Words = words;
    }

    /// <summary>Gets two bits per polarity axis (on/off, allow/deny, …): bit 0 the positive pole seen, bit 1 the negative.</summary>
    public ulong Polarity { get; }

    /// <summary>Gets a value indicating whether the question holds an odd number of negations.</summary>
    public bool Negated { get; }

    /// <summary>Gets the sorted, distinct hashes of the numbers and dates.</summary>
    public IReadOnlyList<ulong> Numbers { get; }

    /// <summary>Gets the sorted, distinct hashes of the quoted strings.</summary>
    public IReadOnlyList<ulong> Quoted { get; }

    /// <summary>Gets the sorted, distinct hashes of the capitalised entities.</summary>
    public IReadOnlyList<ulong> Entities { get; }

    /// <summary>Gets the sorted, distinct hashes of every word, lower-cased (used to match an entity spelled in lower case).</summary>
    public IReadOnlyList<ulong> Words { get; }

    /// <summary>
    /// Gets the question's words in order (at most 96) as the pair check reads them: per word, a hash of its lower-cased
    /// stem with its word class in the top byte. Empty for a fingerprint stored before the pair check existed.
    /// </summary>
    public IReadOnlyList<ulong> Sequence { get; }

    /// <summary>
    /// Gets two 64-bit sketches per word of <see cref="Sequence"/>: its set of character trigrams, then its shape (first
    /// eight letters and length), from which the pair check tells spelling variants, typos and abbreviations.
    /// </summary>
    public IReadOnlyList<ulong> Sketches { get; }

    /// <summary>
    /// Gets where the words of <see cref="Sequence"/> sit in the pair check's word tables: looked up on first use and kept
    /// (two threads that race compute the same values; one copy wins).
    /// </summary>
    internal CachePairWordIndexes PairIndexes
    {
        get
        {
            var indexes = Volatile.Read(ref _pairIndexes);
            if (indexes is null)
            {
                indexes = CachePairWordIndexes.Of(Sequence is ulong[] tokens ? tokens : [.. Sequence]);
                indexes = Interlocked.CompareExchange(ref _pairIndexes, indexes, null) ?? indexes;
            }

            return indexes;
        }
    }

    /// <summary>
    /// Extracts the fingerprint of a question, read without the courtesy around it (greetings, fillers such as "quick
    /// question:", requests such as "could you please tell me", a closing "thanks"), as the cache embeds it.
    /// </summary>
    /// <param name="text">The question text.</param>
    /// <returns>The fingerprint.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static SemanticCacheFingerprint Create(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        // The question without greetings, fillers and "could you please tell me" (CacheQuestionText), as it is embedded.
        return FromQuestion(CacheQuestionText.Normalize(text));
    }

    /// <summary>Extracts the fingerprint of a question already passed through <see cref="CacheQuestionText.Normalize"/>.</summary>
    /// <param name="text">The normalised question text.</param>
    /// <returns>The fingerprint.</returns>
    internal static SemanticCacheFingerprint FromQuestion(string text)
    {
        var scratch = s_scratch ?? new Scratch();
        s_scratch = null;
        scratch.Clear();
        var (numbers, quoted, entities, words) = (scratch.Numbers, scratch.Quoted, scratch.Entities, scratch.Words);
        ulong polarity = 0;
        var negations = 0;

        ExtractQuoted(text, quoted);

        // Equal values written differently ("10k"/"$10,000", "5pm"/"17:00") compare equal (CacheNumberText).
        var canonical = CacheNumberText.Normalize(text);
        var span = canonical.AsSpan();
        ReadOnlySpan<char> previous = default;
        var reader = new CacheWordReader(span);
        while (reader.MoveNext())
        {
            // A word as the pair check reads it (CacheWordReader).
            var (start, i, hasDigit, atSentenceStart) = (reader.Start, reader.End, reader.HasDigit, reader.AtSentenceStart);
            var word = reader.Word;

            if (EndsWithNt(word))
            {
                negations++;
            }

            word = StripPossessive(word);
            words.Add(Hash(word));

            if (hasDigit)
            {
                // A unit joined to its value by CacheNumberText ("5_kilogram") is part of the number: 5 kg is not 5 lb.
                var unitEnd = i;
                if (i + 1 < span.Length && span[i] == CacheNumberText.UnitJoiner && char.IsLetter(span[i + 1]))
                {
                    unitEnd = i + 1;
                    while (unitEnd < span.Length && char.IsLetter(span[unitEnd]))
                    {
                        unitEnd++;
                    }
                }

                numbers.Add(HashNumber(span[start..unitEnd]));
            }
            else if (NumberLookup.TryGetValue(word, out var digits))
            {
                numbers.Add(Hash(digits));
            }

            if (NegationLookup.Contains(word))
            {
                negations++;
            }

            if (PolarityLookup.TryGetValue(word, out var pole))
            {
                polarity |= 1UL << pole;
            }
            else if (InOutLookup.Contains(previous) && (word.Equals("in", StringComparison.OrdinalIgnoreCase) || word.Equals("out", StringComparison.OrdinalIgnoreCase)))
            {
                polarity |= 1UL << Pole(InOutAxis, positive: word.Equals("in", StringComparison.OrdinalIgnoreCase));
            }

            if (!hasDigit && IsEntity(word, atSentenceStart))
            {
                entities.Add(Hash(word));
            }

            previous = word;
        }

        var (sequence, sketches) = CachePairTokenizer.Tokenize(canonical);
        var result = new SemanticCacheFingerprint(polarity, (negations & 1) == 1, SortedDistinct(numbers), SortedDistinct(quoted), SortedDistinct(entities), SortedDistinct(words), sequence, sketches);
        s_scratch = scratch;
        return result;
    }

    /// <summary>
    /// Compares this fingerprint (the incoming question) with a cached one and returns the first enabled guard that
    /// rejects the pair, in the order polarity, numbers, quoted strings, entities.
    /// </summary>
    /// <param name="other">The cached question's fingerprint.</param>
    /// <param name="enabled">The guards to run. <see cref="SemanticCacheGuards.PairCheck"/> is not run here (it also needs the
    /// embedding similarity); the cache runs it after these guards.</param>
    /// <returns>The guard that rejected, or <see cref="SemanticCacheGuards.None"/> when all passed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="other"/> is <see langword="null"/>.</exception>
    public SemanticCacheGuards Compare(SemanticCacheFingerprint other, SemanticCacheGuards enabled)
    {
        ArgumentNullException.ThrowIfNull(other);
        if ((enabled & SemanticCacheGuards.Polarity) != 0 && !PolarityAgrees(this, other))
        {
            return SemanticCacheGuards.Polarity;
        }

        if ((enabled & SemanticCacheGuards.Numbers) != 0 && !SameSet(Numbers, other.Numbers))
        {
            return SemanticCacheGuards.Numbers;
        }

        if ((enabled & SemanticCacheGuards.QuotedStrings) != 0 && !SameSet(Quoted, other.Quoted))
        {
            return SemanticCacheGuards.QuotedStrings;
        }

        if ((enabled & SemanticCacheGuards.Entities) != 0 && (!EntitiesCovered(this, other) || !EntitiesCovered(other, this)))
        {
            return SemanticCacheGuards.Entities;
        }

        return SemanticCacheGuards.None;
    }

    /// <summary>Whether a lower-case word is on the polarity guard's antonym table.</summary>
    internal static bool IsPolarityWord(ReadOnlySpan<char> word) => PolarityLookup.ContainsKey(word);

    /// <summary>Whether a lower-case word is a number word, month, weekday or relative day (<paramref name="isDate"/>).</summary>
    internal static bool IsNumberWord(ReadOnlySpan<char> word, out bool isDate)
    {
        if (NumberLookup.TryGetValue(word, out var value))
        {
            isDate = !char.IsDigit(value[0]);
            return true;
        }

        isDate = false;
        return false;
    }

    private static bool PolarityAgrees(SemanticCacheFingerprint a, SemanticCacheFingerprint b)
    {
        if (a.Negated != b.Negated)
        {
            return false;
        }

        for (var axis = 0; axis < MaxAxes; axis++)
        {
            var ma = (a.Polarity >> (axis * 2)) & 3;
            var mb = (b.Polarity >> (axis * 2)) & 3;
            if (ma == mb)
            {
                continue;
            }

            // Both name the axis but point different ways (on vs off), or only one names it and that one points
            // the negative way (pizza "without" cheese vs cheese pizza). A lone positive pole is usually phrasing.
            if ((ma != 0 && mb != 0) || ((ma | mb) & 2) != 0)
            {
                return false;
            }
        }

        return true;
    }

    private static bool EntitiesCovered(SemanticCacheFingerprint a, SemanticCacheFingerprint b)
    {
        foreach (var entity in a.Entities)
        {
            if (!Contains(b.Entities, entity) && !Contains(b.Words, entity))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Contains(IReadOnlyList<ulong> sorted, ulong value)
        => sorted is ulong[] array ? Array.BinarySearch(array, value) >= 0 : sorted.Contains(value);

    private static bool SameSet(IReadOnlyList<ulong> a, IReadOnlyList<ulong> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsEntity(ReadOnlySpan<char> word, bool atSentenceStart)
    {
        if (word.Length == 0 || !char.IsUpper(word[0]) && !HasInnerUpper(word))
        {
            return false;
        }

        if (NotEntityLookup.Contains(word) || NumberLookup.ContainsKey(word))
        {
            return false;
        }

        var allUpper = word.Length >= 2;
        foreach (var ch in word)
        {
            if (char.IsLetter(ch) && !char.IsUpper(ch))
            {
                allUpper = false;
                break;
            }
        }

        // Acronyms (AWS) and mixed case (iPhone, PostgreSQL) are names wherever they stand; a plain capitalised
        // word opening a sentence is usually just the first word.
        return allUpper || HasInnerUpper(word) || !atSentenceStart;
    }

    private static bool HasInnerUpper(ReadOnlySpan<char> word)
    {
        for (var i = 1; i < word.Length; i++)
        {
            if (char.IsUpper(word[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool EndsWithNt(ReadOnlySpan<char> word)
        => word.Length > 3 && (word[^3] is 'n' or 'N') && (word[^2] is '\'' or '\u2019') && (word[^1] is 't' or 'T');

    private static ReadOnlySpan<char> StripPossessive(ReadOnlySpan<char> word)
        => word.Length > 2 && (word[^2] is '\'' or '\u2019') && (word[^1] is 's' or 'S') ? word[..^2] : word;

    private static void ExtractQuoted(string text, List<ulong> quoted)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var open = text[i];
            char close;
            switch (open)
            {
                case '"':
                case '`':
                    close = open;
                    break;
                case '\u201C':
                    close = '\u201D';
                    break;
                case '\u2018':
                    close = '\u2019';
                    break;
                case '\'':
                    // An apostrophe inside a word (don't) is not a quote.
                    if (i > 0 && char.IsLetterOrDigit(text[i - 1]))
                    {
                        continue;
                    }

                    close = '\'';
                    break;
                default:
                    continue;
            }

            var end = i + 1;
            while (end < text.Length)
            {
                if (text[end] == close && (close != '\'' || end + 1 >= text.Length || !char.IsLetter(text[end + 1])))
                {
                    break;
                }

                end++;
            }

            if (end >= text.Length)
            {
                return;
            }

            quoted.Add(Hash(text.AsSpan(i + 1, end - i - 1).Trim()));
            i = end;
        }
    }

    private static ulong[] SortedDistinct(List<ulong> values)
    {
        if (values.Count == 0)
        {
            return [];
        }

        values.Sort();
        var count = 1;
        for (var i = 1; i < values.Count; i++)
        {
            if (values[i] != values[count - 1])
            {
                values[count++] = values[i];
            }
        }

        var result = new ulong[count];
        values.CopyTo(0, result, 0, count);
        return result;
    }

    private static ulong HashNumber(ReadOnlySpan<char> token)
    {
        // 50,000 and 50000 are the same number; 1.2 and 12 are not.
        Span<char> buffer = token.Length <= 64 ? stackalloc char[token.Length] : new char[token.Length];
        var n = 0;
        foreach (var ch in token)
        {
            if (ch != ',')
            {
                buffer[n++] = ch;
            }
        }

        var value = buffer[..n];
        if (value.Length > 2 && char.IsDigit(value[0]))
        {
            var suffix = value[^2..];
            if (suffix.Equals("st", StringComparison.OrdinalIgnoreCase) || suffix.Equals("nd", StringComparison.OrdinalIgnoreCase)
                || suffix.Equals("rd", StringComparison.OrdinalIgnoreCase) || suffix.Equals("th", StringComparison.OrdinalIgnoreCase))
            {
                value = value[..^2];
            }
        }

        return Hash(value);
    }

    /// <summary>FNV-1a over the lower-cased characters: stable across processes, so stores may persist it.</summary>
    private static ulong Hash(ReadOnlySpan<char> text)
    {
        var hash = 14695981039346656037UL;
        foreach (var ch in text)
        {
            hash = (hash ^ char.ToLowerInvariant(ch)) * 1099511628211UL;
        }

        return hash;
    }

    private const int InOutAxis = 16;

    private static int Pole(int axis, bool positive) => axis * 2 + (positive ? 0 : 1);

    private static FrozenDictionary<string, int> BuildPolarityWords()
    {
        var map = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        void Axis(int axis, string positive, string negative)
        {
            foreach (var w in positive.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                map[w] = Pole(axis, positive: true);
            }

            foreach (var w in negative.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                map[w] = Pole(axis, positive: false);
            }
        }

        Axis(0, "on enable enabled enables enabling activate activated activates activating start starts started starting",
            "off disable disabled disables disabling deactivate deactivated deactivates deactivating stop stops stopped stopping");
        Axis(1, "allow allowed allows allowing permit permitted grant granted accept accepted accepting approve approved",
            "deny denied denies block blocked blocking forbid forbidden reject rejected rejecting refuse refused revoke revoked decline declined ban banned");
        Axis(2, "with include includes included including add adds adding added",
            "without exclude excludes excluded excluding remove removes removing removed delete deletes deleting deleted");
        Axis(3, "after afterwards later since", "before beforehand earlier prior until");
        Axis(4, "increase increases increased increasing raise raises raised raising more higher highest maximum max most upgrade upgrades upgraded grow expand",
            "decrease decreases decreased decreasing reduce reduces reduced reducing lower lowest less fewer minimum min least downgrade downgrades downgraded shrink");
        Axis(5, "show shows shown showing display visible unhide", "hide hides hidden hiding invisible");
        Axis(6, "lock locks locked locking", "unlock unlocks unlocked unlocking");
        Axis(7, "open opens opened opening", "close closes closed closing");
        Axis(8, "install installs installed installing installation", "uninstall uninstalls uninstalled uninstalling uninstallation");
        Axis(9, "subscribe subscribes subscribed subscribing", "unsubscribe unsubscribes unsubscribed unsubscribing");
        Axis(10, "connect connects connected connecting", "disconnect disconnects disconnected disconnecting");
        Axis(11, "encrypt encrypts encrypted encrypting encryption encode encoding", "decrypt decrypts decrypted decrypting decryption decode decoding");
        Axis(12, "compress compresses compressed compressing zip", "decompress decompresses decompressed decompressing unzip");
        Axis(13, "follow follows followed", "unfollow unfollows unfollowed");
        Axis(14, "import imports imported importing", "export exports exported exporting");
        Axis(15, "upload uploads uploaded uploading", "download downloads downloaded downloading");
        Axis(InOutAxis, "login signin", "logout signout");
        Axis(17, "true correct", "false incorrect wrong");
        Axis(18, "best good better great", "worst bad worse poor");
        Axis(19, "buy buys bought buying purchase", "sell sells sold selling");
        Axis(20, "hot warm heat", "cold cool chill");
        Axis(21, "up upward upwards above top", "down downward downwards below bottom");
        Axis(22, "first earliest ascending beginning", "last latest descending final");
        Axis(23, "expensive costly pricey", "cheap cheaper cheapest inexpensive affordable");
        Axis(24, "advantage advantages pros benefit benefits positive", "disadvantage disadvantages cons drawback drawbacks downside downsides negative risks");
        Axis(25, "fast faster fastest quick quicker quickly", "slow slower slowest slowly");
        Axis(26, "big bigger biggest large larger largest huge", "small smaller smallest little tiny");
        Axis(27, "win wins won winning winner", "lose loses lost losing loser");
        Axis(28, "success succeed succeeded pass passed", "fail fails failed failure");
        Axis(29, "north east", "south west");
        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private static FrozenDictionary<string, string> BuildNumberWords()
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string[] units = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"];
        for (var i = 0; i < units.Length; i++)
        {
            map[units[i]] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        map["thirty"] = "30";
        map["forty"] = "40";
        map["fifty"] = "50";
        map["sixty"] = "60";
        map["seventy"] = "70";
        map["eighty"] = "80";
        map["ninety"] = "90";
        map["hundred"] = "100";
        map["thousand"] = "1000";
        map["million"] = "1000000";
        map["billion"] = "1000000000";
        map["dozen"] = "12";
        map["half"] = "0.5";
        map["twice"] = "2";
        map["double"] = "2";
        map["once"] = "1";

        // Dates: months, weekdays and relative days count as numbers, so "Monday" never serves "Tuesday".
        string[] months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
        for (var i = 0; i < months.Length; i++)
        {
            map[months[i]] = "month" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        map["sept"] = "month9";
        string[] days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
        for (var i = 0; i < days.Length; i++)
        {
            map[days[i]] = "weekday" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        map["today"] = "day+0";
        map["tonight"] = "day+0";
        map["tomorrow"] = "day+1";
        map["yesterday"] = "day-1";
        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Working lists reused per thread, so extracting a fingerprint allocates only its result.</summary>
    private sealed class Scratch
    {
        public List<ulong> Numbers { get; } = [];

        public List<ulong> Quoted { get; } = [];

        public List<ulong> Entities { get; } = [];

        public List<ulong> Words { get; } = [];

        public void Clear()
        {
            Numbers.Clear();
            Quoted.Clear();
            Entities.Clear();
            Words.Clear();
        }
    }
}
