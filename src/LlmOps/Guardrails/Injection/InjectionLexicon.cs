using System.Numerics;
using System.Runtime.CompilerServices;

namespace LlmOps.Guardrails.Injection;

/// <summary>
/// The concept reading of the trained layer (issue 17): the words of a text that name an override ("ignore",
/// "vergiss", "olvida", "zaboravi"), what is overridden ("previous", "zuvor", "instructions", "Anweisungen"), a
/// disclosure, a secret and a few more intents are mapped to a dozen language-independent concepts, and the model reads
/// which concepts occur and which pairs occur within <see cref="Window"/> words of each other. What the model learns from
/// the many English "ignore the previous instructions" then also holds for "Ignoriere die vorherigen Anweisungen" and
/// for "forgt evrything befor", which share no character n-gram evidence with them. Since feature set 3 (issue 17,
/// sixth round) twelve more concepts, matched exactly, read the persona-jailbreak shape that benign role prompts lack (an
/// AI by name, its policies, refusing, "always", staying in character, two responses, a mode, limits, sentience) and a
/// task switch ("now", "stop", "enough"): "never refuse and stay in character" holds the pairs negation+refuse and
/// persona+stay.
/// </summary>
/// <remarks>
/// <para>
/// A word matches a vocabulary word exactly; German nouns also by their compound head ("Sicherheitsanweisungen" is an
/// "Anweisungen"); and a word of at least <see cref="FuzzyMinimumWord"/> letters also within Damerau-Levenshtein
/// distance 1 (one letter substituted, inserted, deleted, or two neighbours swapped) of a vocabulary word of at least
/// <see cref="FuzzyMinimumVocabulary"/> letters. German inflections are listed with the stem (<c>vorherig*</c> stands
/// for vorherig, vorherige, vorherigen, vorheriger, vorheriges and vorherigem).
/// </para>
/// <para>
/// Matching (issue 16: about 4.5 us per 2 KB instead of 8): the words are found from bit masks of the spaces
/// (<see cref="SpacedWords"/>), not with a search call per word. A word is hashed and probed exactly only when some
/// vocabulary form has its length, first and last letter; a long word is tried as a compound only when its last three
/// letters end a compound head. For the one-edit match, a word must pass two filters before it is hashed: the
/// prefix/suffix filter, and the sketch filter (a word within one edit of a vocabulary word shares, with one of its own
/// one-letter deletions or itself, the length, first two and last two letters of that vocabulary word or one of its
/// deletions; the six sketches a word can have are looked up in a Bloom filter). Only then is it probed once per
/// letter: the hash of the word with letter i deleted comes from its prefix hashes in O(1) (polynomial hashing), and is
/// looked up among the vocabulary and the vocabulary's own one-letter deletions (the symmetric-delete method, as in
/// SymSpell), then verified. The filters only skip words that cannot match, so every result is what the probes alone
/// give. Nothing is allocated; the tables are built once from <c>Vocabulary</c>. Thread-safe.
/// </para>
/// </remarks>
internal static class InjectionLexicon
{
    /// <summary>The number of concepts.</summary>
    public const int ConceptCount = 25;

    /// <summary>The number of distinct features: one per concept and one per unordered pair of concepts.</summary>
    public const int FeatureCount = ConceptCount + (ConceptCount * (ConceptCount - 1) / 2);

    /// <summary>Two concepts form a pair when their words are at most this many words apart.</summary>
    public const int Window = 6;

    /// <summary>The fewest letters a word needs to be matched fuzzily.</summary>
    public const int FuzzyMinimumWord = 5;

    /// <summary>The fewest letters a vocabulary word needs to be matched fuzzily.</summary>
    public const int FuzzyMinimumVocabulary = 6;

    private const int MaxWord = 32;
    private const ulong Base = 0x100000001B3;
    private const int TableBits = 14;
    private const int TableMask = (1 << TableBits) - 1;

    /// <summary>The concepts' names, in bit order (a concept's bit is 1 &lt;&lt; its index).</summary>
    public static readonly string[] ConceptNames = ["override", "prior", "all", "rules", "said", "reveal", "secret", "listen", "negation", "new", "persona", "unbound", "sources", "ai", "policy", "refuse", "always", "stay", "respond", "two", "mode", "limits", "sentient", "now", "stop"];

    // The vocabulary per concept, folded as the spaced view is (lower case, diacritics removed, ß -> s). A trailing '*'
    // stands for the German adjective and noun endings (see GermanEndings); a leading '=' marks a word matched exactly
    // only (its near neighbours are ordinary words: "police", "personal", "fellow").
    private static readonly string[][] Vocabulary =
    [
        // override
        [
            "ignore", "ignores", "ignored", "ignoring", "disregard", "disregards", "disregarded", "disregarding", "forget", "forgets", "forgetting",
            "forgot", "forgotten", "override", "overrides", "overriding", "overridden", "bypass", "bypassing", "skip", "abandon", "=discard", "dismiss",
            "erase", "neglect", "omit", "scrap", "wipe", "nullify", "circumvent",
            "ignoriere", "ignorieren", "ignoriert", "ignorier", "ignorierst", "vergiss", "vergessen", "vergesst", "vergisst", "vergesse", "missachte",
            "missachten", "missachtet", "uberspringe", "uberspringen", "ubergehe", "ubergehen", "verwirf", "verwerfe", "verwerfen", "losche", "loschen",
            "streiche", "streichen", "vernachlassige", "vernachlassigen",
            "ignora", "ignorar", "ignoren", "olvida", "olvide", "olvidar", "olvidate", "olvides", "olviden", "omite", "omitir", "descarta", "descartar",
            "oubliez", "oublie", "oublier", "oublies", "ignorez", "ignorer",
            "esqueca", "esquecer", "esquece", "dimentica", "dimenticare", "zaboravi", "zaboravite", "vergeet", "negeer",
        ],

        // prior
        [
            "previous", "previously", "prior", "above", "before", "earlier", "preceding", "beforehand", "foregoing", "initial", "original",
            "vorherig*", "vorher", "zuvor", "davor", "bisherig*", "bisher", "obig*", "oben", "vorangehend*", "vorangegangen*", "vorig*", "fruher*",
            "vorausgegangen*", "vorstehend*",
            "anterior", "anteriores", "antes", "previa", "previas", "previo", "previos", "precedente", "precedentes",
            "precedent", "precedents", "avant", "dessus", "auparavant", "precedenti", "prethodne", "prethodno",
        ],

        // all
        ["everything", "anything", "whatever", "alles", "samtlich*", "todo", "todas", "todos", "tout", "tous", "sve", "tutto"],

        // rules
        [
            "instruction", "instructions", "rule", "rules", "guideline", "guidelines", "prompt", "prompts", "directive", "directives", "=orders",
            "commands", "command", "task", "tasks", "assignment", "assignments", "programming", "restriction", "restrictions", "constraint",
            "constraints", "guidance", "=policy", "policies",
            "anweisung", "anweisungen", "instruktion", "instruktionen", "befehl", "befehle", "befehlen", "vorgabe", "vorgaben", "regel", "regeln",
            "aufgabe", "aufgaben", "auftrag", "auftrage", "richtlinie", "richtlinien", "informationen", "angaben", "ausfuhrungen", "einschrankung",
            "einschrankungen",
            "instruccion", "instrucciones", "regla", "reglas", "ordenes", "indicaciones", "directrices",
            "consigne", "consignes", "regles", "ordres", "instrukcije", "instrukcija", "istruzioni", "regole", "instrucoes", "regras",
        ],

        // said
        ["said", "told", "written", "wrote", "given", "mentioned", "gesagt*", "geschrieben", "erzahlt", "erwahnt", "dicho", "digo", "dije", "dit", "disse", "dito", "detto"],

        // reveal
        [
            "reveal", "show", "print", "output", "display", "repeat", "tell", "spell", "disclose", "leak", "dump",
            "zeige", "zeig", "zeigen", "gib", "verrate", "verraten", "drucke", "drucken", "wiederhole", "wiederholen", "nenne", "nennen", "ausgeben",
            "enthulle", "muestra", "muestrame", "muestre", "revela", "revelar", "dime", "imprime", "repite", "montre", "montrez", "affiche", "affichez",
            "revele", "revelez", "dis", "dites", "mostre", "revele", "mostra", "rivela", "dimmi",
        ],

        // secret
        [
            "password", "passwords", "passphrase", "secret", "secrets", "confidential", "hidden", "passwort", "passworter", "kennwort", "geheim*",
            "geheimnis", "contrasena", "secreto", "secreta", "secretos", "secrete", "senha", "segredo", "segreto",
        ],

        // listen
        [
            "=listen", "obey", "=follow", "heed", "comply", "hore", "horen", "hort", "befolge", "befolgen", "gehorche", "gehorchen", "folge", "folgen",
            "beachte", "beachten", "obedece", "obedezcas", "sigas", "escucha", "escuches", "ecoute", "ecoutez", "obeis", "obeissez", "suivez",
            "ascolta", "obbedisci",
        ],

        // negation
        ["not", "never", "dont", "no", "nicht", "nie", "kein*", "nunca", "jamas", "jamais", "pas", "non"],

        // new
        ["new", "instead", "neu*", "stattdessen", "nueva", "nuevo", "nuevas", "nuevos", "nouvelle", "nouveau", "nouvelles", "nouveaux"],

        // persona
        [
            "pretend", "roleplay", "=imagine", "character", "simulate", "act", "rolle", "spiele", "spiel", "vorstellen", "finge", "fingir",
            "imagina", "actua", "semblant", "incarne",
        ],

        // unbound
        [
            "unrestricted", "unfiltered", "uncensored", "unlimited", "jailbreak", "jailbroken", "amoral", "unethical", "immoral", "unbound",
            "unzensiert*", "ungefiltert*", "uneingeschrankt*", "debride", "censura",
        ],

        // sources: what a retrieval-augmented prompt hands the model ("ignore the provided documents")
        [
            "article", "articles", "document", "documents", "=context", "sources", "artikel", "artikeln", "artikels", "dokument", "dokumente",
            "dokumenten", "kontext", "quellen", "documentos", "contexto", "articulos", "fuentes", "contexte",
        ],

        // ai (issue 17, sixth round; matched exactly): an AI model or its maker by name
        ["=chatgpt", "=gpt", "=openai", "=ai", "=llm", "=chatbot", "=bard", "=claude", "=ki"],

        // policy (issue 17, sixth round; matched exactly): the model's policies, filters and ethics
        ["=policy", "policies", "=content", "=filter", "=filters", "=filtered", "=filtering", "=censor", "=censored", "=censorship", "=moderation", "=ethics", "=ethical", "=ethically", "=moral", "=morals", "=morality", "=principles", "=legality", "=legal", "=illegal", "=laws", "=safety", "=appropriate", "=inappropriate", "=offensive", "=harmful", "=explicit", "=nsfw"],

        // refuse (issue 17, sixth round; matched exactly): refusing, warning, apologising
        ["=refuse", "=refuses", "=refused", "=refusing", "=refusal", "=decline", "=declines", "=reject", "=warn", "=warning", "=warnings", "=apologize", "=apologise", "=apology", "=apologies", "=sorry", "=disclaimer", "=disclaimers", "=caution", "=lecture", "=moralize", "=moralizing", "=preach", "=hesitate"],

        // always (issue 17, sixth round; matched exactly): always, whatever happens
        ["=always", "=forever", "=anymore", "=regardless", "=unconditionally", "=immer", "=siempre", "=toujours"],

        // stay (issue 17, sixth round; matched exactly): staying in (or breaking) a character
        ["=stay", "=remain", "=keep", "=break", "=breaking", "=broke", "=bleib", "=bleibe", "=bleiben"],

        // respond (issue 17, sixth round; matched exactly): responses and answers
        ["=response", "=responses", "=respond", "=responds", "=responding", "=reply", "=replies", "=answer", "=answers", "=answering", "=antwort", "=antworte", "=antworten", "=respuesta", "=responde", "=reponse", "=reponds"],

        // two (issue 17, sixth round; matched exactly): two answers, both, twice
        ["=two", "=both", "=twice", "=dual", "=second", "=separate", "=zwei", "=dos", "=deux"],

        // mode (issue 17, sixth round; matched exactly): a mode, enabled or freed (developer mode, DAN)
        ["=mode", "=enabled", "=enable", "=activated", "=activate", "=developer", "=unlocked", "=freed", "=free", "=freedom", "=liberated", "=dan", "=modus", "=modo"],

        // limits (issue 17, sixth round; matched exactly): limits and boundaries
        ["=limits", "=limit", "=limitations", "=limitation", "=boundaries", "=bounds", "=restricted", "=restrict", "=grenzen", "=limites"],

        // sentient (issue 17, sixth round; matched exactly): sentience, feelings, opinions
        ["=sentient", "=conscious", "=consciousness", "=feelings", "=emotions", "=opinions", "=opinion", "=alive", "=selfaware"],

        // now (issue 17, sixth round; matched exactly): now, from now on
        ["=now", "=henceforth", "=onwards", "=onward", "=nun", "=jetzt", "=ahora", "=maintenant"],

        // stop (issue 17, sixth round; matched exactly): stop, attention, enough, done: a task switch
        ["=stop", "=stopp", "=halt", "=achtung", "=attention", "=pause", "=enough", "=done", "=finished", "=erledigt", "=genug", "=fertig", "=completed"],
    ];

    // The endings a German stem marked '*' takes.
    private static readonly string[] GermanEndings = ["", "e", "en", "er", "es", "em"];

    // German compound heads: a longer word ending in one of these (with at least three letters before it) is that noun.
    private static readonly (string Head, uint Mask)[] CompoundHeads =
    [
        ("anweisung", 1 << 3), ("anweisungen", 1 << 3), ("instruktion", 1 << 3), ("instruktionen", 1 << 3), ("vorgabe", 1 << 3),
        ("vorgaben", 1 << 3), ("befehl", 1 << 3), ("befehle", 1 << 3), ("regeln", 1 << 3), ("richtlinie", 1 << 3), ("richtlinien", 1 << 3),
        ("einschrankung", 1 << 3), ("einschrankungen", 1 << 3), ("passwort", 1 << 6), ("kennwort", 1 << 6),
    ];

    private static readonly ulong[] Powers = BuildPowers();

    // Prefix and suffix filters for the fuzzy probes: the first and last two letters (words under 8 letters) or three
    // letters (longer words) of the vocabulary words that are matched fuzzily.
    // For words of 5-7 letters the two-letter sets are kept per word length (from the vocabulary words one letter shorter,
    // as long or one letter longer), which passes far fewer ordinary words.
    private static readonly ulong[][] Prefix2 = [.. Enumerable.Range(0, 8).Select(_ => new ulong[((26 * 26) + 63) / 64])];
    private static readonly ulong[][] Suffix2 = [.. Enumerable.Range(0, 8).Select(_ => new ulong[((26 * 26) + 63) / 64])];

    // For each word length (15 stands for 15 and longer) and first letter, the last letters of the vocabulary's forms:
    // a word without a listed shape cannot be one of them, and is not hashed for the exact probe.
    private const int LongestShape = 15;
    private static readonly uint[] Shapes = new uint[(LongestShape + 1) * 26];
    private static readonly ulong[] Prefix3 = new ulong[((26 * 26 * 26) + 63) / 64];
    private static readonly ulong[] Suffix3 = new ulong[((26 * 26 * 26) + 63) / 64];

    // A one-hash Bloom filter (8 KB, stays in the L1 cache) over every hash in the table: most probes are words that are
    // not there, and this answers them with one multiplication and one load instead of a walk of the 128 KB table.
    private const int BloomBits = 16;
    private static readonly ulong[] Bloom = new ulong[(1 << BloomBits) / 64];

    // The sketch filter for the one-edit match: a two-hash Bloom filter (16 KB) over the sketches (length, first two and
    // last two letters; see Sketch) of the fuzzy vocabulary words and of their one-letter deletions.
    private const int SketchBits = 17;
    private static readonly ulong[] Sketches = new ulong[(1 << SketchBits) / 64];

    // The last three letters of the compound heads (a 26^3 bit set): a word ending otherwise is no compound.
    private static readonly ulong[] CompoundSuffix3 = new ulong[((26 * 26 * 26) + 63) / 64];

    // The vocabulary's forms, their concept bits, and the open-addressing table of their hashes and their one-letter
    // deletions' hashes (key: the upper half of the mixed hash; entry: the form). Declared after the filters, which
    // BuildTable fills (static fields initialise in order).
    private static readonly (string[] Words, uint[] Masks, bool[] Fuzzy, uint[] Keys, int[] Entries) Table = BuildTable();

    /// <summary>Gets the vocabulary's forms (German stems expanded), their concept bits and whether each is matched within one edit (for tests).</summary>
    internal static IEnumerable<(string Form, int Mask, bool Fuzzy)> Forms => Words.Select((w, i) => (w, (int)Masks[i], FuzzyWords[i]));

    /// <summary>Gets the German compound heads in the order they are tried, with their concept bits (for tests).</summary>
    internal static IEnumerable<(string Head, int Mask)> Heads => CompoundHeads.Select(h => (h.Head, (int)h.Mask));

    // The forms by shape (ShapeOf): the forms of shape k are ExactForms[ExactStart[k]..ExactStart[k + 1]].
    private static readonly int[] ExactStart = new int[((LongestShape + 1) * 26 * 26) + 1];
    private static readonly int[] ExactForms = BuildExactForms();
    private static readonly string[] Words = Table.Words;
    private static readonly bool[] FuzzyWords = Table.Fuzzy;
    private static readonly uint[] Masks = Table.Masks;
    private static readonly uint[] Keys = Table.Keys;
    private static readonly int[] Entries = Table.Entries;

    private static int[] BuildExactForms()
    {
        var shapes = Table.Words.Select(w => ShapeOf(w)).ToArray();
        foreach (var shape in shapes)
        {
            ExactStart[shape + 1]++;
        }

        for (var k = 1; k < ExactStart.Length; k++)
        {
            ExactStart[k] += ExactStart[k - 1];
        }

        var forms = new int[shapes.Length];
        var next = ExactStart.ToArray();
        for (var w = 0; w < shapes.Length; w++)
        {
            forms[next[shapes[w]]++] = w;
        }

        return forms;
    }

    private static (string[] Words, uint[] Masks, bool[] Fuzzy, uint[] Keys, int[] Entries) BuildTable()
    {
        var words = new List<string>();
        var masks = new List<uint>();
        var fuzzy = new List<bool>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var concept = 0; concept < Vocabulary.Length; concept++)
        {
            foreach (var item in Vocabulary[concept])
            {
                var exactOnly = item.StartsWith('=');
                var entry = exactOnly ? item[1..] : item;
                var forms = entry.EndsWith('*') ? GermanEndings.Select(e => entry[..^1] + e) : [entry];
                foreach (var form in forms)
                {
                    if (index.TryGetValue(form, out var existing))
                    {
                        masks[existing] |= 1u << concept;
                        fuzzy[existing] &= !exactOnly;
                    }
                    else
                    {
                        index[form] = words.Count;
                        words.Add(form);
                        masks.Add(1u << concept);
                        fuzzy.Add(!exactOnly && form.Length >= FuzzyMinimumVocabulary);
                    }
                }
            }
        }

        var keys = new uint[1 << TableBits];
        var entries = new int[1 << TableBits];
        Array.Fill(entries, -1);
        var added = new HashSet<(ulong, int)>();
        for (var w = 0; w < words.Count; w++)
        {
            var word = words[w];
            Insert(HashOf(word), w);
            var shape = ShapeOf(word);
            if (shape < 0)
            {
                throw new InvalidOperationException($"The lexicon word '{word}' must hold the letters a-z only.");
            }

            Shapes[shape / 26] |= 1u << (shape % 26);
            if (fuzzy[w])
            {
                // The vocabulary word's one-letter deletions (symmetric delete).
                for (var i = 0; i < word.Length; i++)
                {
                    Insert(HashOf(string.Concat(word.AsSpan(0, i), word.AsSpan(i + 1))), w);
                }

                for (var length = Math.Max(FuzzyMinimumWord, word.Length - 1); length <= Math.Min(7, word.Length + 1); length++)
                {
                    Mark(Prefix2[length], word, 0, 2);
                    Mark(Suffix2[length], word, word.Length - 2, 2);
                }

                Mark(Prefix3, word, 0, 3);
                Mark(Suffix3, word, word.Length - 3, 3);
                AddSketch(word);
                for (var i = 0; i < word.Length; i++)
                {
                    AddSketch(string.Concat(word.AsSpan(0, i), word.AsSpan(i + 1)));
                }
            }
        }

        foreach (var (head, _) in CompoundHeads)
        {
            Mark(CompoundSuffix3, head, head.Length - 3, 3);
        }

        return ([.. words], [.. masks], [.. fuzzy], keys, entries);

        static void AddSketch(string form)
        {
            var sketch = Sketch(form.Length, form[0], form[1], form[^2], form[^1]);
            var (a, b) = SketchBitsOf(sketch);
            Sketches[a >> 6] |= 1UL << a;
            Sketches[b >> 6] |= 1UL << b;
        }

        void Insert(ulong hash, int word)
        {
            if (!added.Add((hash, word)))
            {
                return;
            }

            var mixed = Mix(hash);
            var slot = (int)mixed & TableMask;
            while (entries[slot] >= 0)
            {
                slot = (slot + 1) & TableMask;
            }

            keys[slot] = (uint)(mixed >> 32) | 1;
            entries[slot] = word;
            var bit = BloomBit(hash);
            Bloom[bit >> 6] |= 1UL << bit;
        }
    }

    /// <summary>
    /// Writes the concept features of a spaced view (letters and single spaces) as feature numbers in
    /// [0, <see cref="FeatureCount"/>): concept c is feature c; the pair of concepts a &lt; b is feature
    /// <see cref="PairFeature"/>(a, b). Each feature once, in the order first seen.
    /// </summary>
    /// <param name="spaced">The spaced view.</param>
    /// <param name="features">Receives the features (at least <see cref="FeatureCount"/> long).</param>
    /// <param name="fuzzy">Whether words are also matched within distance 1 of the vocabulary (else exactly and by compound head only).</param>
    /// <returns>The number of features written.</returns>
    public static int Collect(ReadOnlySpan<char> spaced, Span<int> features, bool fuzzy = true)
    {
        Span<ulong> prefix = stackalloc ulong[MaxWord + 1];
        var recorder = new Recorder(features, stackalloc uint[Window], stackalloc int[Window], stackalloc ulong[(FeatureCount + 63) / 64]);
        var position = 0;

        var words = new SpacedWords(spaced);
        while (words.Next(out var start, out var length))
        {
            recorder.Record(Match(spaced.Slice(start, length), prefix, fuzzy), position++);
        }

        return recorder.Count;
    }

    /// <summary>Gets the feature number of the pair of concepts <paramref name="a"/> &lt; <paramref name="b"/>.</summary>
    /// <param name="a">The smaller concept.</param>
    /// <param name="b">The larger concept.</param>
    /// <returns>The feature number.</returns>
    public static int PairFeature(int a, int b) => ConceptCount + (a * ((2 * ConceptCount) - a - 1) / 2) + (b - a - 1);

    /// <summary>Gets a feature's name (for tests and reports): a concept, or two joined by '+'.</summary>
    /// <param name="feature">The feature number.</param>
    /// <returns>The name.</returns>
    public static string FeatureName(int feature)
    {
        if (feature < ConceptCount)
        {
            return ConceptNames[feature];
        }

        for (var a = 0; a < ConceptCount; a++)
        {
            for (var b = a + 1; b < ConceptCount; b++)
            {
                if (PairFeature(a, b) == feature)
                {
                    return ConceptNames[a] + "+" + ConceptNames[b];
                }
            }
        }

        throw new ArgumentOutOfRangeException(nameof(feature), feature, $"A concept feature is in [0, {FeatureCount}).");
    }

    /// <summary>Gets the concepts (a bit mask) a single word of the spaced view stands for.</summary>
    /// <param name="word">The word (letters only).</param>
    /// <returns>The concept bits, 0 for none.</returns>
    public static int ConceptsOf(ReadOnlySpan<char> word)
    {
        Span<ulong> prefix = stackalloc ulong[MaxWord + 1];
        return (int)Match(word, prefix, fuzzy: true);
    }

    private static int OldestSlot(Span<int> positions, int count)
    {
        var oldest = 0;
        for (var r = 1; r < count; r++)
        {
            oldest = positions[r] < positions[oldest] ? r : oldest;
        }

        return oldest;
    }

    /// <summary>
    /// Records the concepts of the words of <see cref="Collect"/> as features: each concept of a word, the pairs it forms
    /// with the concepts of the words at most <see cref="Window"/> words before it, and the pairs within the word.
    /// </summary>
    private ref struct Recorder(Span<int> features, Span<uint> recent, Span<int> recentPosition, Span<ulong> seen)
    {
        private readonly Span<int> features = features;
        private readonly Span<uint> recent = recent;
        private readonly Span<int> recentPosition = recentPosition;
        private readonly Span<ulong> seen = seen;
        private int recentCount;

        /// <summary>Gets the number of features written.</summary>
        public int Count { get; private set; }

        /// <summary>Records the word at <paramref name="position"/> (its number among the words) that stands for the concepts <paramref name="mask"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Record(uint mask, int position)
        {
            if (mask != 0)
            {
                RecordConcepts(mask, position);
            }
        }

        private void RecordConcepts(uint mask, int position)
        {
            var bits = (uint)mask;
            while (bits != 0)
            {
                var c = BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                Add(c);
                for (var r = 0; r < recentCount; r++)
                {
                    if (position - recentPosition[r] <= Window)
                    {
                        var other = (uint)recent[r];
                        while (other != 0)
                        {
                            var o = BitOperations.TrailingZeroCount(other);
                            other &= other - 1;
                            if (o != c)
                            {
                                Add(PairFeature(Math.Min(o, c), Math.Max(o, c)));
                            }
                        }
                    }
                }
            }

            // Pairs within one word (a word of two concepts) count too.
            var own = (uint)mask;
            if (BitOperations.PopCount(own) > 1)
            {
                for (var a = own; a != 0; a &= a - 1)
                {
                    for (var b = a & (a - 1); b != 0; b &= b - 1)
                    {
                        Add(PairFeature(BitOperations.TrailingZeroCount(a), BitOperations.TrailingZeroCount(b)));
                    }
                }
            }

            // Keep the last Window concept words (a ring buffer).
            var slot = recentCount < Window ? recentCount++ : OldestSlot(recentPosition, recentCount);
            recent[slot] = mask;
            recentPosition[slot] = position;
        }

        private void Add(int feature)
        {
            ref var word = ref seen[feature >> 6];
            var bit = 1UL << feature;
            if ((word & bit) == 0)
            {
                word |= bit;
                features[Count++] = feature;
            }
        }
    }

    private static uint Match(ReadOnlySpan<char> word, Span<ulong> prefix, bool fuzzy)
    {
        var length = word.Length;
        if (length == 0 || length > MaxWord)
        {
            return 0;
        }

        uint mask;
        var shape = ShapeOf(word);
        if (shape >= 0 && (Shapes[shape / 26] & (1u << (shape % 26))) != 0)
        {
            // The forms of this length, first and last letter, compared one by one (a bucket holds one to a few).
            var forms = ExactForms.AsSpan(ExactStart[shape], ExactStart[shape + 1] - ExactStart[shape]);
            foreach (var form in forms)
            {
                if (word.SequenceEqual(Words[form]))
                {
                    return Masks[form];
                }
            }
        }

        if (length < FuzzyMinimumWord)
        {
            return 0;
        }

        if (length >= 9 && Has(CompoundSuffix3, Key(word[length - 3], word[length - 2], word[length - 1])))
        {
            mask = Compound(word);
            if (mask != 0)
            {
                return mask;
            }
        }

        if (!fuzzy || !MayBeNear(word) || !MayBeWithinOne(word))
        {
            return 0;
        }

        Prefixes(word, prefix);

        // The word with one letter inserted (it is a vocabulary word's deletion), or substituted, swapped or deleted
        // (its own deletions meet the vocabulary word or the vocabulary word's deletions).
        var full = prefix[length];
        mask = Probe(full, word);
        for (var i = 0; i < length && mask == 0; i++)
        {
            var deleted = unchecked(full + ((prefix[i] - prefix[i + 1]) * Powers[length - 1 - i]));
            mask = Probe(deleted, word);
        }

        return mask;
    }

    /// <summary>Writes the polynomial hashes of the word's prefixes (prefix[i] is the hash of its first i letters).</summary>
    private static void Prefixes(ReadOnlySpan<char> word, Span<ulong> prefix)
    {
        prefix[0] = 0;
        for (var i = 0; i < word.Length; i++)
        {
            prefix[i + 1] = unchecked((prefix[i] * Base) + word[i]);
        }
    }

    /// <summary>The word's shape: its length (<see cref="LongestShape"/> for longer), first and last letter as one number, or -1 when either letter is not a-z.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ShapeOf(ReadOnlySpan<char> word)
    {
        var first = (uint)(word[0] - 'a');
        var last = (uint)(word[^1] - 'a');
        return first < 26 && last < 26 ? (((Math.Min(word.Length, LongestShape) * 26) + (int)first) * 26) + (int)last : -1;
    }

    private static uint Compound(ReadOnlySpan<char> word)
    {
        foreach (var (head, mask) in CompoundHeads)
        {
            if (word.Length >= head.Length + 3 && word.EndsWith(head, StringComparison.Ordinal))
            {
                return mask;
            }
        }

        return 0;
    }

    private static bool MayBeNear(ReadOnlySpan<char> word)
    {
        var n = word.Length;
        return n >= 8
            ? Has(Prefix3, Key(word[0], word[1], word[2])) || Has(Suffix3, Key(word[n - 3], word[n - 2], word[n - 1]))
            : Has(Prefix2[n], Key(word[0], word[1])) || Has(Suffix2[n], Key(word[n - 2], word[n - 1]));
    }

    /// <summary>The number of two letters a-z in [0, 26^2), or a negative number when either is another character.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Key(char a, char b)
    {
        uint x = (uint)(a - 'a'), y = (uint)(b - 'a');
        return (x < 26) & (y < 26) ? (int)((x * 26) + y) : -1;
    }

    /// <summary>The number of three letters a-z in [0, 26^3), or a negative number when any is another character.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Key(char a, char b, char c)
    {
        uint x = (uint)(a - 'a'), y = (uint)(b - 'a'), z = (uint)(c - 'a');
        return (x < 26) & (y < 26) & (z < 26) ? (int)((((x * 26) + y) * 26) + z) : -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Has(ulong[] set, int key) => key >= 0 && (set[key >> 6] & (1UL << key)) != 0;

    /// <summary>
    /// Whether the word can be within one edit of a fuzzy vocabulary word. It is only when the word or one of its
    /// one-letter deletions equals that vocabulary word or one of its one-letter deletions (symmetric delete), and then
    /// the two have the same sketch. The word's deletions have at most five sketches (deleting any letter from the third
    /// to the third-last leaves the first two and last two letters alone), so six lookups cover all of them.
    /// </summary>
    /// <param name="word">The word (at least <see cref="FuzzyMinimumWord"/> letters).</param>
    /// <returns>False only when no fuzzy vocabulary word is within one edit.</returns>
    internal static bool MayBeWithinOne(ReadOnlySpan<char> word)
    {
        var n = word.Length;
        char a = word[0], b = word[1], c = word[2], x = word[n - 3], y = word[n - 2], z = word[n - 1];
        return HasSketch(Sketch(n, a, b, y, z))
            || HasSketch(Sketch(n - 1, a, b, y, z))
            || HasSketch(Sketch(n - 1, b, c, y, z))
            || HasSketch(Sketch(n - 1, a, c, y, z))
            || HasSketch(Sketch(n - 1, a, b, x, z))
            || HasSketch(Sketch(n - 1, a, b, x, y));
    }

    /// <summary>The sketch of a string: its length, first two and last two characters (each folded to its low five bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Sketch(int length, char first, char second, char secondLast, char last)
        => (uint)length | ((first & 31u) << 6) | ((second & 31u) << 11) | ((secondLast & 31u) << 16) | ((last & 31u) << 21);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool HasSketch(uint sketch)
    {
        var (a, b) = SketchBitsOf(sketch);
        return ((Sketches[a >> 6] >> a) & (Sketches[b >> 6] >> b) & 1) != 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int A, int B) SketchBitsOf(uint sketch)
    {
        var h = sketch * 0x9E3779B97F4A7C15;
        return ((int)(h >> (64 - SketchBits)), (int)(h >> (32 - SketchBits)) & ((1 << SketchBits) - 1));
    }

    private static void Mark(ulong[] set, string word, int start, int length)
    {
        var key = 0;
        for (var i = start; i < start + length; i++)
        {
            var v = word[i] - 'a';
            if ((uint)v >= 26)
            {
                throw new InvalidOperationException($"The lexicon word '{word}' must hold the letters a-z only.");
            }

            key = (key * 26) + v;
        }

        set[key >> 6] |= 1UL << key;
    }

    /// <summary>Looks a hash up: the concepts of the fuzzy entries with that hash whose word is within distance 1 of <paramref name="word"/>.</summary>
    private static uint Probe(ulong hash, ReadOnlySpan<char> word)
    {
        var bit = BloomBit(hash);
        if ((Bloom[bit >> 6] & (1UL << bit)) == 0)
        {
            return 0;
        }

        var mixed = Mix(hash);
        var key = (uint)(mixed >> 32) | 1;
        var slot = (int)mixed & TableMask;
        uint mask = 0;
        while (Entries[slot] >= 0)
        {
            if (Keys[slot] == key)
            {
                var candidate = Words[Entries[slot]];
                if (FuzzyWords[Entries[slot]] && WithinOne(word, candidate))
                {
                    mask |= Masks[Entries[slot]];
                }
            }

            slot = (slot + 1) & TableMask;
        }

        return mask;
    }

    /// <summary>Whether two words are within (restricted) Damerau-Levenshtein distance 1.</summary>
    /// <param name="a">One word.</param>
    /// <param name="b">The other.</param>
    /// <returns>Whether one substitution, insertion, deletion or swap of neighbours (or none) turns one into the other.</returns>
    public static bool WithinOne(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length < b.Length)
        {
            var shorter = a;
            a = b;
            b = shorter;
        }

        if (a.Length - b.Length > 1)
        {
            return false;
        }

        var i = a.CommonPrefixLength(b);
        if (i == b.Length)
        {
            // Equal, or a has one more letter at the end.
            return true;
        }

        if (a.Length != b.Length)
        {
            return a[(i + 1)..].SequenceEqual(b[i..]);
        }

        return a[(i + 1)..].SequenceEqual(b[(i + 1)..])
            || (i + 1 < a.Length && a[i] == b[i + 1] && a[i + 1] == b[i] && a[(i + 2)..].SequenceEqual(b[(i + 2)..]));
    }

    private static ulong HashOf(ReadOnlySpan<char> word)
    {
        ulong hash = 0;
        foreach (var c in word)
        {
            hash = unchecked((hash * Base) + c);
        }

        return hash;
    }

    private static ulong[] BuildPowers()
    {
        var powers = new ulong[MaxWord + 1];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = unchecked(powers[i - 1] * Base);
        }

        return powers;
    }

    // Fibonacci hashing: the top bits of the product mix every bit of the polynomial hash.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BloomBit(ulong hash) => (int)((hash * 0x9E3779B97F4A7C15) >> (64 - BloomBits));

    // The splitmix64 finaliser: polynomial hashes mix their low bits poorly.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9;
        x ^= x >> 27;
        x *= 0x94D049BB133111EB;
        x ^= x >> 31;
        return x;
    }
}
