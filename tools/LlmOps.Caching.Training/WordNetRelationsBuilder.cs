using System.Globalization;

namespace LlmOps.Caching.Training;

/// <summary>
/// Builds the pair check's WordNet relation table (<see cref="CacheWordRelations"/>) from the Princeton WordNet 3.0
/// database files (Debian's <c>wordnet-base</c>, <c>/usr/share/wordnet</c>): for every word of a frequency-bounded
/// vocabulary (MiniLM's whole-word WordPiece vocabulary), its base forms by WordNet's own morphology (exception lists,
/// then the detachment rules), the synsets of each base form's first <see cref="Senses"/> senses (WordNet lists senses
/// by tagged frequency), and from those synsets their adjective cluster, the synsets the word is derived from or to,
/// the antonyms (direct, and for adjectives those of the cluster head), and the hypernyms one and two levels up. Values
/// are grouped by the stem key the pair check's tokenizer gives the word; an id that only one stem holds is dropped,
/// and so is a hypernym above more than <see cref="MaxAncestorStems"/> stems (too general to tell anything).
/// Deterministic: the same files and vocabulary give the same bytes.
/// </summary>
internal sealed class WordNetRelationsBuilder
{
    /// <summary>Where Debian's <c>wordnet-base</c> installs the database.</summary>
    public const string DefaultDirectory = "/usr/share/wordnet";

    private static readonly (string File, char Pos)[] Parts = [("noun", 'n'), ("verb", 'v'), ("adj", 'a'), ("adv", 'r')];

    private static readonly Dictionary<char, (string Suffix, string Ending)[]> Detachments = new()
    {
        ['n'] = [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y")],
        ['v'] = [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")],
        ['a'] = [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
        ['r'] = [],
    };

    private readonly Dictionary<(char Pos, string Lemma), long[]> _index = [];
    private readonly Dictionary<(char Pos, string Form), List<string>> _exceptions = [];
    private readonly Dictionary<long, Synset> _synsets = [];

    /// <summary>Gets or sets how many of a base form's senses (most frequent first) count.</summary>
    public int Senses { get; set; } = 3;

    /// <summary>Gets or sets the most stems a hypernym may sit above and still count.</summary>
    public int MaxAncestorStems { get; set; } = 400;

    /// <summary>Reads the WordNet database files in <paramref name="directory"/>.</summary>
    public static WordNetRelationsBuilder Load(string directory)
    {
        if (!File.Exists(Path.Combine(directory, "data.noun")))
        {
            throw new FileNotFoundException($"WordNet 3.0 is not in '{directory}'. Install it with 'apt-get install -y wordnet-base' or pass --wordnet DIR.");
        }

        var builder = new WordNetRelationsBuilder();
        foreach (var (file, pos) in Parts)
        {
            foreach (var line in File.ReadLines(Path.Combine(directory, "index." + file)))
            {
                if (line.Length == 0 || line[0] == ' ')
                {
                    continue;
                }

                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var pointerCount = int.Parse(f[3], CultureInfo.InvariantCulture);
                var senseCount = int.Parse(f[2], CultureInfo.InvariantCulture);
                var first = 4 + pointerCount + 2;
                builder._index[(pos, f[0])] = f.Skip(first).Take(senseCount).Select(o => SynsetKey(pos, o)).ToArray();
            }

            foreach (var line in File.ReadLines(Path.Combine(directory, file + ".exc")))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length >= 2)
                {
                    if (!builder._exceptions.TryGetValue((pos, f[0]), out var bases))
                    {
                        builder._exceptions[(pos, f[0])] = bases = [];
                    }

                    bases.AddRange(f.Skip(1));
                }
            }

            foreach (var line in File.ReadLines(Path.Combine(directory, "data." + file)))
            {
                if (line.Length == 0 || line[0] == ' ')
                {
                    continue;
                }

                var synset = Synset.Parse(pos, line);
                builder._synsets[synset.Key] = synset;
            }
        }

        return builder;
    }

    /// <summary>Builds the table for <paramref name="vocabulary"/> (lower-case words).</summary>
    public CacheWordRelations Build(IEnumerable<string> vocabulary)
    {
        // Dense synset ids in (part of speech, offset) order.
        var ids = new Dictionary<long, uint>();
        foreach (var key in _synsets.Keys.Order())
        {
            ids[key] = (uint)ids.Count;
        }

        var byStem = new SortedDictionary<ulong, SortedSet<uint>>();
        foreach (var word in vocabulary)
        {
            if (!IsTableWord(word, out var stem))
            {
                continue;
            }

            foreach (var (pos, lemma) in BaseForms(word))
            {
                var values = Values(pos, lemma, ids);
                if (values.Count == 0)
                {
                    continue;
                }

                if (!byStem.TryGetValue(stem, out var set))
                {
                    byStem[stem] = set = [];
                }

                set.UnionWith(values);
            }
        }

        // Drop ids held by one stem only (they relate nothing) and hypernyms above too many stems.
        var holders = new Dictionary<uint, int>();
        var ancestorHolders = new Dictionary<uint, int>();
        foreach (var set in byStem.Values)
        {
            foreach (var id in set.Select(v => v & ((1u << CacheWordRelations.KindShift) - 1)).Distinct())
            {
                holders[id] = holders.GetValueOrDefault(id) + 1;
            }

            foreach (var v in set.Where(v => v >> CacheWordRelations.KindShift == CacheWordRelations.AncestorKind))
            {
                var id = v & ((1u << CacheWordRelations.KindShift) - 1);
                ancestorHolders[id] = ancestorHolders.GetValueOrDefault(id) + 1;
            }
        }

        var keys = new List<ulong>();
        var offsets = new List<int> { 0 };
        var all = new List<uint>();
        foreach (var (stem, set) in byStem)
        {
            var kept = set.Where(v =>
            {
                var id = v & ((1u << CacheWordRelations.KindShift) - 1);
                return holders[id] >= 2 && (v >> CacheWordRelations.KindShift != CacheWordRelations.AncestorKind || ancestorHolders[id] <= MaxAncestorStems);
            }).ToList();
            if (kept.Count == 0)
            {
                continue;
            }

            keys.Add(stem);
            all.AddRange(kept);
            offsets.Add(all.Count);
        }

        return new CacheWordRelations(keys.ToArray(), offsets.ToArray(), all.ToArray());
    }

    /// <summary>The relation of two words by the built table, for the tool's sanity probes.</summary>
    public static CacheWordRelation Probe(CacheWordRelations table, string x, string y)
    {
        var (tx, _) = CachePairTokenizer.Tokenize(x);
        var (ty, _) = CachePairTokenizer.Tokenize(y);
        if (tx.Length != 1 || ty.Length != 1)
        {
            return CacheWordRelation.None;
        }

        var a = table.IndexOf(tx[0]);
        var b = table.IndexOf(ty[0]);
        return a < 0 || b < 0 ? CacheWordRelation.None : table.Relate(a, b);
    }

    /// <summary>Word pairs whose relations the tool prints after building, as a sanity check.</summary>
    public static IReadOnlyList<(string, string)> Probes { get; } =
    [
        ("big", "large"), ("biggest", "largest"), ("begin", "start"), ("start", "stop"), ("fix", "repair"), ("faucet", "tap"),
        ("huge", "tiny"), ("wet", "dry"), ("above", "below"), ("dog", "animal"), ("wasp", "bee"), ("project", "account"),
        ("delete", "deletion"), ("fire", "dismiss"), ("sick", "ill"), ("symptoms", "signs"), ("purchase", "buy"), ("buy", "sell"),
        ("employer", "employee"), ("rome", "milan"), ("charge", "fee"), ("parcel", "package"), ("lend", "borrow"),
    ];

    /// <summary>Whether the pair check's tokenizer reads the word alone as one open-class word, and its stem key.</summary>
    private static bool IsTableWord(string word, out ulong stem)
    {
        var (tokens, _) = CachePairTokenizer.Tokenize(word);
        stem = tokens.Length == 1 ? CachePairTokenizer.StemOf(tokens[0]) : 0;
        return tokens.Length == 1
            && CachePairTokenizer.ClassOf(tokens[0]) is CachePairTokenClass.Content or CachePairTokenClass.Polar or CachePairTokenClass.Comparative or CachePairTokenClass.Entity;
    }

    /// <summary>WordNet's morphology: the word itself when indexed, its exceptions, then the detachment rules.</summary>
    private IEnumerable<(char Pos, string Lemma)> BaseForms(string word)
    {
        var seen = new HashSet<(char, string)>();
        foreach (var (_, pos) in Parts)
        {
            var candidates = new List<string> { word };
            if (_exceptions.TryGetValue((pos, word), out var bases))
            {
                candidates.AddRange(bases);
            }

            foreach (var (suffix, ending) in Detachments[pos])
            {
                if (word.Length > suffix.Length + 1 && word.EndsWith(suffix, StringComparison.Ordinal))
                {
                    candidates.Add(word[..^suffix.Length] + ending);
                }
            }

            foreach (var candidate in candidates)
            {
                if (_index.ContainsKey((pos, candidate)) && seen.Add((pos, candidate)))
                {
                    yield return (pos, candidate);
                }
            }
        }
    }

    /// <summary>The table values of one base form: its first senses and what they point to.</summary>
    private SortedSet<uint> Values(char pos, string lemma, Dictionary<long, uint> ids)
    {
        var values = new SortedSet<uint>();
        void Add(uint kind, long synset)
        {
            if (ids.TryGetValue(synset, out var id))
            {
                values.Add((kind << CacheWordRelations.KindShift) | id);
            }
        }

        foreach (var key in _index[(pos, lemma)].Take(Senses))
        {
            var synset = _synsets[key];
            var wordNumber = synset.WordNumber(lemma);
            Add(CacheWordRelations.SenseKind, key);
            var head = synset.ClusterHead(_synsets);
            if (head is { } h)
            {
                Add(CacheWordRelations.ClusterKind, h);
            }

            foreach (var pointer in synset.Pointers)
            {
                var ours = pointer.Source == 0 || pointer.Source == wordNumber;
                switch (pointer.Symbol)
                {
                    case "+" or "\\" or "<" when ours:
                        Add(CacheWordRelations.DerivedKind, pointer.Target);
                        break;
                    case "!" when ours:
                        Add(CacheWordRelations.AntonymKind, pointer.Target);
                        if (_synsets.TryGetValue(pointer.Target, out var antonym) && antonym.ClusterHead(_synsets) is { } ah)
                        {
                            Add(CacheWordRelations.AntonymKind, ah);
                        }

                        break;
                    case "@" or "@i":
                        Add(CacheWordRelations.AncestorKind, pointer.Target);
                        if (_synsets.TryGetValue(pointer.Target, out var parent))
                        {
                            foreach (var grand in parent.Pointers.Where(p => p.Symbol is "@" or "@i"))
                            {
                                Add(CacheWordRelations.AncestorKind, grand.Target);
                            }
                        }

                        break;
                }
            }

            // A satellite's indirect antonyms: those of its cluster head.
            if (head is { } hk && hk != key && _synsets.TryGetValue(hk, out var headSynset))
            {
                foreach (var pointer in headSynset.Pointers.Where(p => p.Symbol == "!"))
                {
                    Add(CacheWordRelations.AntonymKind, pointer.Target);
                }
            }
        }

        return values;
    }

    private static long SynsetKey(char pos, string offset) => ((long)(pos == 's' ? 'a' : pos) << 32) | long.Parse(offset, CultureInfo.InvariantCulture);

    private sealed record Pointer(string Symbol, long Target, int Source);

    private sealed record Synset(long Key, bool Satellite, string[] Words, Pointer[] Pointers)
    {
        public static Synset Parse(char pos, string line)
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var type = f[2];
            var wordCount = int.Parse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var words = new string[wordCount];
            var k = 4;
            for (var w = 0; w < wordCount; w++, k += 2)
            {
                var word = f[k].ToLowerInvariant();
                var marker = word.IndexOf('(', StringComparison.Ordinal);
                words[w] = marker > 0 ? word[..marker] : word;
            }

            var pointerCount = int.Parse(f[k++], CultureInfo.InvariantCulture);
            var pointers = new Pointer[pointerCount];
            for (var p = 0; p < pointerCount; p++, k += 4)
            {
                var sourceTarget = f[k + 3];
                pointers[p] = new Pointer(f[k], SynsetKey(f[k + 2][0], f[k + 1]), int.Parse(sourceTarget[..2], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }

            return new Synset(SynsetKey(pos, f[0]), type == "s", words, pointers);
        }

        /// <summary>The 1-based number of a lemma among the synset's words (0 when absent).</summary>
        public int WordNumber(string lemma) => Array.IndexOf(Words, lemma) + 1;

        /// <summary>An adjective's cluster head: itself for a head, the target of "similar to" for a satellite; null otherwise.</summary>
        public long? ClusterHead(Dictionary<long, Synset> synsets)
        {
            if ((Key >> 32) != 'a')
            {
                return null;
            }

            if (!Satellite)
            {
                return Key;
            }

            foreach (var p in Pointers)
            {
                if (p.Symbol == "&" && synsets.TryGetValue(p.Target, out var head) && !head.Satellite)
                {
                    return p.Target;
                }
            }

            return null;
        }
    }
}
