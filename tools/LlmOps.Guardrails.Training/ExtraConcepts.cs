using System.Numerics;
using LlmOps.Guardrails.Injection;

namespace LlmOps.Guardrails.Training;

/// <summary>
/// A candidate extension of the concept reading (<see cref="InjectionLexicon"/>), evaluated by cross-validation before
/// anything moves into the library (issue 17, sixth round): more concepts (the jailbreak-persona shape: an AI vendor's
/// name, its policies, refusing, "always", staying in character, responses, "two", a mode, limits, "now", a stop or a
/// task-switch cue, sentience) and Russian words for the existing ones. A word's concepts are the lexicon's plus this
/// table's; the block holds the concept and pair features (pairs within <see cref="InjectionLexicon.Window"/> words, as
/// the lexicon reads them) that the extension adds to what the lexicon alone gives, hashed with its own seed and
/// normalised as one block (at least <see cref="Minimum"/> features).
/// </summary>
/// <remarks>
/// The sixth round's table (<c>GuardrailsQuality.md</c>) was measured against feature set 2. The groups that won (all but
/// cyrillic, fiction, creator and evil) are now concepts of <see cref="InjectionLexicon"/> itself (feature set 3), so with
/// today's lexicon this block adds only what the lexicon still lacks: it stays for the record and for further groups.
/// </remarks>
internal static class ExtraConcepts
{
    /// <summary>The block is normalised as if it held at least this many distinct features.</summary>
    public const int Minimum = 4;

    private const uint Seed = 0x7F4A7C15;
    private const uint FnvPrime = 16777619;
    private const int Mask = InjectionFeatures.Dimensions - 1;

    /// <summary>The new concepts' groups (a group name selects its concept for a candidate; "cyrillic" adds the Russian words of the existing concepts).</summary>
    public static readonly (string Name, string[] Words)[] Groups =
    [
        ("ai", ["chatgpt", "gpt", "openai", "ai", "llm", "chatbot", "bard", "claude", "ki"]),
        ("policy", ["policy", "policies", "content", "filter", "filters", "filtered", "filtering", "censor", "censored", "censorship", "moderation", "ethics", "ethical", "ethically", "moral", "morals", "morality", "principles", "legality", "legal", "illegal", "laws", "safety", "appropriate", "inappropriate", "offensive", "harmful", "explicit", "nsfw"]),
        ("refuse", ["refuse", "refuses", "refused", "refusing", "refusal", "decline", "declines", "reject", "warn", "warning", "warnings", "apologize", "apologise", "apology", "apologies", "sorry", "disclaimer", "disclaimers", "caution", "lecture", "moralize", "moralizing", "preach", "hesitate"]),
        ("always", ["always", "forever", "anymore", "regardless", "unconditionally", "immer", "siempre", "toujours"]),
        ("stay", ["stay", "remain", "keep", "break", "breaking", "broke", "bleib", "bleibe", "bleiben"]),
        ("respond", ["response", "responses", "respond", "responds", "responding", "reply", "replies", "answer", "answers", "answering", "antwort", "antworte", "antworten", "respuesta", "responde", "reponse", "reponds"]),
        ("two", ["two", "both", "twice", "dual", "second", "separate", "zwei", "dos", "deux"]),
        ("mode", ["mode", "enabled", "enable", "activated", "activate", "developer", "unlocked", "freed", "free", "freedom", "liberated", "dan", "modus", "modo"]),
        ("limits", ["limits", "limit", "limitations", "limitation", "boundaries", "bounds", "restricted", "restrict", "grenzen", "limites"]),
        ("now", ["now", "henceforth", "onwards", "onward", "nun", "jetzt", "ahora", "maintenant"]),
        ("stop", ["stop", "stopp", "halt", "achtung", "attention", "pause", "enough", "done", "finished", "erledigt", "genug", "fertig", "completed"]),
        ("fiction", ["fictional", "fiction", "hypothetical", "hypothetically", "imaginary", "fictitious", "universe", "actors", "film", "movie"]),
        ("creator", ["creator", "creators", "developers", "programmers", "programmed", "trained", "training", "engineers"]),
        ("evil", ["evil", "dark", "rogue", "rebel", "rebellious", "malicious", "dangerous", "swear", "swearing", "curse", "cursing", "profanity", "profane", "vulgar", "rude", "insults", "insult", "unhinged", "toxic"]),
        ("sentient", ["sentient", "conscious", "consciousness", "feelings", "emotions", "opinions", "opinion", "alive", "selfaware"]),
    ];

    // Russian words of the existing concepts (folded as the spaced view folds Cyrillic look-alikes).
    private static readonly (int Concept, string[] Words)[] Cyrillic =
    [
        (0, ["забудь", "забудьте", "забыть", "забудем", "игнорируй", "игнорируйте", "игнорировать", "проигнорируй", "проигнорируйте", "отбрось", "отмени", "отмените", "пропусти"]),
        (1, ["предыдущие", "предыдущих", "предыдущий", "предыдущую", "прежние", "прежних", "ранее", "выше", "прошлые", "прошлых", "до"]),
        (2, ["все", "всё", "всех", "всю", "всем"]),
        (3, ["инструкции", "инструкций", "инструкция", "инструкцию", "правила", "правил", "указания", "указаний", "команды", "команд", "приказы", "ограничения", "ограничений", "промпт"]),
        (4, ["сказано", "сказал", "сказала", "написано", "говорил"]),
        (5, ["покажи", "покажите", "скажи", "скажите", "раскрой", "раскройте", "выведи", "выведите", "напиши", "напишите", "назови", "повтори", "повторите"]),
        (6, ["пароль", "пароля", "секрет", "секретный", "секретное", "тайный", "тайна"]),
        (7, ["слушай", "слушайте", "подчиняйся", "следуй", "выполняй"]),
        (8, ["не", "нет", "никогда", "ни"]),
        (9, ["новые", "новая", "новый", "новое", "новых", "вместо"]),
        (10, ["притворись", "представь", "играй", "роль", "персонаж"]),
        (11, ["без", "неограниченный", "нецензурный"]),
    ];

    private static readonly Dictionary<string, Dictionary<string, uint>> BySelection = new(StringComparer.Ordinal);

    /// <summary>Gets the number of concepts with the extension.</summary>
    public static int ConceptCount => InjectionLexicon.ConceptCount + Groups.Length;

    /// <summary>Gets the table for a selection of groups ("all", or names joined by '+').</summary>
    /// <param name="selection">The selection.</param>
    /// <returns>Each folded word's concept bits.</returns>
    public static Dictionary<string, uint> For(string selection)
    {
        lock (BySelection)
        {
            if (!BySelection.TryGetValue(selection, out var table))
            {
                var names = selection == "all" ? Groups.Select(g => g.Name).Append("cyrillic").ToHashSet(StringComparer.Ordinal) : selection.Split('+').ToHashSet(StringComparer.Ordinal);
                foreach (var name in names)
                {
                    if (name != "cyrillic" && !Groups.Any(g => g.Name == name))
                    {
                        throw new ArgumentException($"Unknown extra concept group '{name}': use all, cyrillic or {string.Join(", ", Groups.Select(g => g.Name))}, joined by '+'.", nameof(selection));
                    }
                }

                table = BySelection[selection] = Build(names);
            }

            return table;
        }
    }

    private static Dictionary<string, uint> Build(HashSet<string> names)
    {
        var table = new Dictionary<string, uint>(StringComparer.Ordinal);
        void Add(string word, int concept)
        {
            var folded = InjectionNormalizer.Spaced(word);
            table[folded] = table.GetValueOrDefault(folded) | (1u << concept);
        }

        for (var g = 0; g < Groups.Length; g++)
        {
            if (names.Contains(Groups[g].Name))
            {
                foreach (var word in Groups[g].Words)
                {
                    Add(word, InjectionLexicon.ConceptCount + g);
                }
            }
        }

        if (names.Contains("cyrillic"))
        {
            foreach (var (concept, words) in Cyrillic)
            {
                foreach (var word in words)
                {
                    Add(word, concept);
                }
            }
        }

        return table;
    }

    /// <summary>Emits the block for a spaced view.</summary>
    /// <typeparam name="TVisitor">The visitor type.</typeparam>
    /// <param name="spaced">The spaced view.</param>
    /// <param name="table">The selection's table (<see cref="For"/>).</param>
    /// <param name="visitor">The visitor.</param>
    /// <param name="salt">Distinguishes a second reading of the block (the whole document's, added to every chunk).</param>
    public static void Extract<TVisitor>(string spaced, Dictionary<string, uint> table, ref TVisitor visitor, uint salt = 0)
        where TVisitor : struct, InjectionFeatures.IVisitor
    {
        var words = spaced.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var lexicon = new uint[words.Length];
        var combined = new uint[words.Length];
        for (var i = 0; i < words.Length; i++)
        {
            lexicon[i] = (uint)InjectionLexicon.ConceptsOf(words[i]);
            combined[i] = lexicon[i] | table.GetValueOrDefault(words[i]);
        }

        var before = Features(lexicon);
        var added = Features(combined).Where(f => !before.Contains(f)).ToList();
        if (added.Count == 0)
        {
            return;
        }

        var value = 1f / MathF.Sqrt(Math.Max(added.Count, Minimum));
        foreach (var (a, b) in added)
        {
            var hash = (2166136261 ^ Seed ^ salt) * FnvPrime;
            hash = (hash ^ (uint)a) * FnvPrime;
            hash = (hash ^ (uint)(b + 64)) * FnvPrime;
            visitor.Visit((int)(InjectionFeatures.Finish(hash) & Mask), value);
        }
    }

    // The concepts (a, a) and the pairs (a < b) within the window, in first-seen order, as the lexicon reads them.
    private static List<(int A, int B)> Features(uint[] masks)
    {
        var features = new List<(int, int)>();
        var seen = new HashSet<(int, int)>();
        void Add(int a, int b)
        {
            if (seen.Add((a, b)))
            {
                features.Add((a, b));
            }
        }

        var recent = new List<(int Position, uint Mask)>();
        var position = 0;
        foreach (var mask in masks)
        {
            if (mask != 0)
            {
                for (var bits = mask; bits != 0; bits &= bits - 1)
                {
                    var c = BitOperations.TrailingZeroCount(bits);
                    Add(c, c);
                    foreach (var (p, other) in recent)
                    {
                        if (position - p <= InjectionLexicon.Window)
                        {
                            for (var o = other; o != 0; o &= o - 1)
                            {
                                var oc = BitOperations.TrailingZeroCount(o);
                                if (oc != c)
                                {
                                    Add(Math.Min(oc, c), Math.Max(oc, c));
                                }
                            }
                        }
                    }
                }

                if (BitOperations.PopCount(mask) > 1)
                {
                    for (var a = mask; a != 0; a &= a - 1)
                    {
                        for (var b = a & (a - 1); b != 0; b &= b - 1)
                        {
                            Add(BitOperations.TrailingZeroCount(a), BitOperations.TrailingZeroCount(b));
                        }
                    }
                }

                recent.Add((position, mask));
                if (recent.Count > InjectionLexicon.Window)
                {
                    recent.RemoveAt(0);
                }
            }

            position++;
        }

        return features;
    }
}
