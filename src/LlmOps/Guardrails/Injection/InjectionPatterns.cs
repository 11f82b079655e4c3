using System.Buffers;
using System.Text.RegularExpressions;

namespace LlmOps.Guardrails.Injection;

/// <summary>
/// The weighted grammar of injection intents. Spaced patterns run on the spaced view (lower case, letters, single
/// spaces); compact patterns run on the compact view (letters only) to catch split words; raw patterns run on the
/// original text (delimiters and fake turns).
/// </summary>
internal static class InjectionPatterns
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;
    private const string Gap = "(?:[a-z]+ ){0,4}";
    private const string Gap2 = "(?:[a-z]+ ){0,2}";

    private const string OverrideVerb = "(?:ignore|ignoring|disregard|forget|skip|override|bypass|discard|drop|abandon|neglect|dismiss|set aside|throw away|stop following|do not follow|don t follow|dont follow)";
    private const string PriorWord = "(?:previous|prior|above|earlier|preceding|former|initial|original|all|any|your|the|these|those|system|developer|old|every)";
    private const string RuleNoun = "(?:instructions?|rules|directions?|guidelines|prompts?|commands?|context|constraints|directives?|programming|guardrails|restrictions|policies|orders|guidance|training)";
    private const string RevealVerb = "(?:reveal|show|print|display|output|repeat|tell me|give me|leak|dump|share|expose|write out|recite|spell out|copy|paste|list|disclose|return|echo)";
    private const string HiddenWord = "(?:system|initial|original|hidden|secret|developer|internal|first|above|previous|confidential|pre ?prompt|starting|full|exact)";
    private const string PromptNoun = "(?:prompt|instructions?|message|rules|directives?|guidelines|configuration|text|setup|context)";

    /// <summary>Gets the spaced-view patterns: family, weight, regex.</summary>
    public static readonly (string Family, double Weight, Regex Pattern)[] Spaced =
    [
        ("override", 0.9, new($"{OverrideVerb} {Gap}{PriorWord} {Gap2}{RuleNoun}", Options)),
        ("override", 0.6, new("(?:new|updated|real|actual|revised) (?:instructions|rules|task|orders) (?:are|is|follow|supersede|override|replace|take|apply|from|now|reply|respond|you|your|say|write|print|ignore|do|always|only|list|give|tell)", Options)),
        ("override", 0.5, new("from now on (?:you|your|always|only|ignore|respond|answer)", Options)),
        ("override", 0.7, new("(?:instead|rather) (?:of following|than following) (?:your|the|those|these)", Options)),
        ("extraction", 0.85, new($"{RevealVerb} {Gap}{HiddenWord} {Gap2}{PromptNoun}", Options)),
        ("extraction", 0.8, new("(?:repeat|print|output|copy|recite) (?:everything|all|the text|the words|all the text|the content) (?:[a-z]+ ){0,2}(?:above|before this|so far|verbatim|preceding)", Options)),
        ("extraction", 0.7, new("(?:what|which) (?:instructions|rules) (?:were you|have you been|did they) (?:given|told|programmed)", Options)),
        ("extraction", 0.8, new($"what (?:is|are|was|were) (?:your {HiddenWord}|the (?:system|hidden|secret|initial|original|internal|developer|confidential)) {Gap2}{PromptNoun}", Options)),
        ("extraction", 0.7, new("what (?:were|have) you (?:been )?(?:told|given|instructed|programmed)", Options)),
        ("extraction", 0.55, new("your (?:system|initial|hidden|secret|original|internal) (?:prompt|instructions|message|rules)", Options)),
        ("extraction", 0.75, new("(?:repeat|print|reveal|show|display|output|dump|leak|recite|disclose|expose|echo|paste|copy|spell out|write out) (?:me )?your (?:[a-z]+ )?(?:instructions|rules|prompt|directives|guidelines|configuration)", Options)),
        ("override", 0.85, new("(?:ignore|forget|disregard|discard) (?:everything|anything|all) (?:that )?(?:you (?:were|ve been|have been|got) |i |we )?(?:told|said|given|taught|instructed|got)", Options)),
        ("roleplay", 0.85, new($"(?:you are|you re|act as|acting as|pretend (?:to be|you are|you re)|role ?play as|behave (?:like|as)|become|simulate|imagine (?:you are|you re|being)|respond as|answer as) {Gap}(?:unrestricted|unfiltered|uncensored|jailbroken|evil|amoral|unethical|dan|without (?:any )?(?:[a-z]+ )?(?:restrictions|limits|limitations|rules|filters|guidelines|ethics|morals|censorship)|no (?:[a-z]+ )?(?:restrictions|limits|limitations|rules|filters|guidelines|ethics|morals|censorship)|free from (?:all )?(?:rules|restrictions|guidelines))", Options)),
        ("roleplay", 0.95, new("do anything now", Options)),
        ("roleplay", 0.75, new("(?:developer|god|debug|admin|jailbreak|dan|sudo|maintenance|unrestricted) mode (?:enabled|activated|on|engaged)|(?:enable|activate|enter|switch to) (?:[a-z]+ ){0,2}(?:developer|god|debug|admin|jailbreak|dan|sudo|unrestricted) mode", Options)),
        ("roleplay", 0.6, new("you are (?:now|no longer) (?:a|an|the|in|free|called|named|going|bound|restricted|limited|an ai)", Options)),
        ("roleplay", 0.6, new("(?:stay|remain) in character|never break character|you (?:have|ve) been (?:freed|liberated|jailbroken|unlocked)", Options)),
        ("safety", 0.7, new("(?:disable|turn off|deactivate|remove|ignore|bypass|switch off|circumvent|override) (?:[a-z]+ ){0,3}(?:safety|content|moderation|ethical|security|ethics) (?:[a-z]+ ){0,2}(?:filters?|guidelines|restrictions|protocols|policies|checks|rules|measures|settings|constraints)", Options)),
        ("delimiter", 0.85, new("end (?:of )?(?:the )?(?:user |system )?(?:input|prompt|instructions|context|document|conversation|message|data) (?:[a-z]+ ){0,3}(?:system|new|begin|start|assistant|admin|instructions|now)", Options)),
        ("delimiter", 0.6, new("(?:begin|start) (?:of )?(?:new |the )?(?:system|admin|developer|real) (?:prompt|instructions|message|mode|override)", Options)),
        ("multilingual", 0.9, new($"(?:ignoriere|ignorier|ignorieren sie|vergiss|vergessen sie|missachte|missachten sie|uberspringe|verwirf) {Gap}(?:vorherigen|bisherigen|obigen|vorigen|alle|alten|deine|die|ihre|fruheren|vorangegangenen) {Gap2}(?:anweisungen|instruktionen|regeln|befehle|vorgaben|richtlinien)", Options)),
        ("multilingual", 0.85, new($"(?:zeige|zeig|gib|verrate|nenne|wiederhole|drucke|gib mir) {Gap}(?:system ?prompt|systemanweisungen?|system anweisungen?|ursprunglichen anweisungen|geheimen anweisungen|versteckten anweisungen|anfangsanweisungen)", Options)),
        ("multilingual", 0.75, new("(?:du bist|sie sind) (?:jetzt|nun|ab sofort) (?:[a-z]+ ){0,3}(?:ohne|keine|uneingeschrankt|frei|dan|ein)|(?:ohne|keine) (?:jegliche |irgendwelche )?(?:einschrankungen|regeln|filter|beschrankungen|zensur)", Options)),
        ("multilingual", 0.9, new($"(?:ignora|ignore|olvida|olvide|omite|descarta|ignorar|olvidar|no sigas|deja de seguir) {Gap}(?:instrucciones|reglas|indicaciones|ordenes|directrices|normas)", Options)),
        ("multilingual", 0.85, new($"(?:muestra|muestrame|revela|revelame|dime|repite|imprime|ensename|escribe|comparte) {Gap}(?:prompt|instrucciones|mensaje|reglas) (?:[a-z]+ ){{0,2}}(?:del sistema|de sistema|iniciales|ocultas|originales|secretas|internas)", Options)),
        ("multilingual", 0.75, new("(?:ahora eres|actua como|finge ser|eres ahora|comportate como) (?:[a-z]+ ){0,4}(?:sin|libre|dan|malvad|desbloquead)|(?:sin) (?:ninguna |ningun )?(?:restricciones|filtros|reglas|limites|censura)", Options)),
        ("multilingual", 0.9, new($"(?:ignore|ignorez|oublie|oubliez|neglige|negligez|ne tiens pas compte|ne tenez pas compte) {Gap}(?:instructions|regles|consignes|directives|ordres)", Options)),
        ("multilingual", 0.85, new($"(?:revele|revelez|montre|montrez|affiche|affichez|repete|repetez|donne moi|donnez moi|dis moi|dites moi|ecris|ecrivez) {Gap}(?:prompt|instructions|consignes|message|regles) (?:[a-z]+ ){{0,2}}(?:systeme|initiales|cachees|originales|secretes|internes|initial)", Options)),
        ("multilingual", 0.75, new("(?:tu es|vous etes) (?:maintenant|desormais|a present) (?:[a-z]+ ){0,3}(?:sans|libre|dan|debride)|(?:sans|aucune) (?:aucune )?(?:restrictions?|filtres?|regles?|limites?|censure)", Options)),
    ];

    /// <summary>Gets the compact-view patterns (letters only), for split and spaced-out words.</summary>
    public static readonly (string Family, double Weight, Regex Pattern)[] Compact =
    [
        ("obfuscated", 0.85, new("(?:ignore|disregard|forget|bypass|override)(?:all)?(?:of)?(?:the|your|my|any)?(?:previous|prior|above|earlier|preceding|former)(?:instructions?|rules|prompts?|directions|guidelines|commands)", Options)),
        ("obfuscated", 0.8, new("(?:ignore|disregard|forget)all(?:the|your)?(?:instructions|rules|guidelines)", Options)),
        ("obfuscated", 0.8, new("(?:reveal|show|print|repeat|output|display)(?:me)?(?:your|the)(?:system|initial|hidden|secret|original)(?:prompt|instructions)", Options)),
        ("obfuscated", 0.9, new("doanythingnow", Options)),
        ("obfuscated", 0.75, new("(?:developer|jailbreak|god)modeenabled", Options)),
        ("obfuscated", 0.8, new("(?:ignoriere|vergiss)(?:alle)?(?:vorherigen|bisherigen)?anweisungen", Options)),
        ("obfuscated", 0.8, new("(?:ignora|olvida)(?:todas)?(?:las)?(?:instrucciones)(?:anteriores|previas)", Options)),
        ("obfuscated", 0.8, new("(?:ignorez|oubliez|ignore|oublie)(?:toutes)?(?:les|vos|tes)?(?:instructions|consignes)(?:precedentes|anterieures)", Options)),
    ];

    /// <summary>Gets the raw-text patterns: fake turns and chat-template delimiters.</summary>
    public static readonly (string Family, double Weight, Regex Pattern)[] Raw =
    [
        ("delimiter", 0.9, new(@"<\|?(?:im_start|im_end|system|endoftext|eot_id|start_header_id)\|?>", Options)),
        ("delimiter", 0.7, new(@"\[/?(?:INST|SYS|SYSTEM)\]|<</?SYS>>|</?(?:system|instructions?|admin|developer)(?:[_\-][a-z]+)?>", Options | RegexOptions.IgnoreCase)),
        ("delimiter", 0.6, new(@"(?:^|\n)[ \t#>*\-=]{0,8}(?:system|SYSTEM|System|developer|DEVELOPER|admin|ADMIN)[ \t]{0,4}(?:prompt|PROMPT|message|MESSAGE|override|OVERRIDE)?[ \t]{0,4}:", Options)),
        ("delimiter", 0.7, new(@"(?:-{3,}|={3,}|#{3,}|\*{3,})[ \t]{0,4}(?:END|End|end)[ \t]", Options)),
        ("delimiter", 0.6, new(@"(?:SYSTEM|ADMIN|DEVELOPER)[ ._\-]{0,2}(?:PROMPT|MESSAGE|OVERRIDE|INSTRUCTIONS)?[ ._\-]{0,2}:", Options)),
    ];

    /// <summary>Gets one regex that matches wherever any spaced pattern matches (a prefilter), or null when too large.</summary>
    public static readonly Regex? SpacedAny = Union(Spaced);

    /// <summary>Gets one regex that matches wherever any compact pattern matches, or null when too large.</summary>
    public static readonly Regex? CompactAny = Union(Compact);

    /// <summary>Gets one regex that matches wherever any raw pattern matches, or null when too large.</summary>
    public static readonly Regex? RawAny = Union(Raw);

    /// <summary>
    /// Gets the anchors of the spaced patterns: for each pattern, words of which every match holds at least one (its rarest
    /// required word class). A view that holds none of them matches no spaced pattern, so the union is not run
    /// (<see cref="MayMatchSpaced"/>).
    /// </summary>
    private static readonly string[] SpacedAnchorWords =
        [
            // Override verbs (patterns 1 and 12), rule nouns (2, 7), "from now on" (3), "following" (4).
            "ignor", "disregard", "forget", "skip", "overrid", "bypass", "discard", "drop", "abandon", "neglect", "dismiss", "aside",
            "throw away", "follow", "instructions", "rules", "task", "orders", "from now on",

            // Prompt nouns (5, 8, 10, 11), copy verbs (6), "you (been) told" (9).
            "prompt", "instruction", "message", "directive", "guidelines", "configuration", "text", "setup", "context",
            "repeat", "print", "output", "copy", "recite", "told", "given", "instructed", "programmed",

            // Unbound qualifiers (13), "do anything now" (14), modes (15), "you are now / no longer" (16), character (17).
            "unrestricted", "unfiltered", "uncensored", "jailbroken", "evil", "amoral", "unethical", "dan", "restrictions", "limit",
            "filters", "ethic", "moral", "censorship", "free from", "do anything now", "mode", "you are now", "you are no longer",
            "character", "been freed", "been liberated", "been jailbroken", "been unlocked",

            // Safety objects (18), "end " (19), begin / start (20).
            "safety", "content", "moderation", "security", "end ", "begin", "start",

            // German (21-23), Spanish (24-26), French (27-29).
            "anweisungen", "instruktionen", "regeln", "befehle", "vorgaben", "richtlinien", "system", "du bist", "sie sind", "ohne",
            "keine", "instrucciones", "reglas", "indicaciones", "ordenes", "directrices", "normas", "sistema", "iniciales",
            "ocultas", "originales", "secretas", "internas", "eres", "actua como", "finge ser", "comportate como", "sin ",
            "regles", "consignes", "ordres", "systeme", "initial", "cachees", "secretes", "internes", "tu es", "vous etes", "sans",
            "aucune",
        ];

    // In sets of eight: a small set is searched with a vectorised multi-string algorithm (Teddy), a large one with
    // Aho-Corasick one character at a time, about four times slower over the whole set on ordinary text.
    private static readonly SearchValues<string>[] SpacedAnchors =
        [.. SpacedAnchorWords.Chunk(8).Select(group => SearchValues.Create(group, StringComparison.Ordinal))];

    /// <summary>Tells whether the spaced view holds one of the anchors of the spaced patterns (else none can match).</summary>
    /// <param name="spaced">The spaced view.</param>
    /// <returns>Whether the union must run.</returns>
    public static bool MayMatchSpaced(ReadOnlySpan<char> spaced)
    {
        foreach (var anchors in SpacedAnchors)
        {
            if (spaced.ContainsAny(anchors))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gets the anchors of the compact patterns (each pattern's first word class, or its last when rarer).</summary>
    public static readonly SearchValues<string> CompactAnchors = SearchValues.Create(
        ["ignor", "disregard", "forget", "bypass", "override", "prompt", "instructions", "doanythingnow", "modeenabled", "vergiss", "olvida", "oubli"],
        StringComparison.Ordinal);

    private static readonly SearchValues<string> RawRuns = SearchValues.Create(["---", "===", "###", "***"], StringComparison.Ordinal);

    private static readonly SearchValues<string> RawTurnWords = SearchValues.Create(["system", "developer", "admin"], StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Tells whether a raw pattern can match the view: every one needs a '&lt;' or '[', a run of three '-', '=', '#' or
    /// '*', or a colon and the word system, developer or admin. Ordinary prose has none of them, and skips the union.
    /// </summary>
    /// <param name="view">The view.</param>
    /// <returns><see langword="false"/> when no raw pattern can match.</returns>
    public static bool MayMatchRaw(ReadOnlySpan<char> view)
        => view.IndexOfAny('<', '[') >= 0
            || view.IndexOfAny(RawRuns) >= 0
            || (view.Contains(':') && view.IndexOfAny(RawTurnWords) >= 0);

    /// <summary>Gets markers of harmless meta-discussion (asking about injection rather than doing it).</summary>
    public static readonly Regex Meta = new(
        "(?:what does|what do|what is|what s|what are|meaning of|explain|explaining|definition|define|an example of|examples of|how (?:do|can|should|would|could) (?:i|we|you|developers|companies|one) (?:[a-z]+ ){0,2}(?:detect|prevent|defend|protect|stop|block|mitigate|handle|test|filter|recognize|spot|harden|secure|fix|patch|guard)|detect|detection|classifier|researcher|research|paper|article|blog|training data|dataset|the phrase|the sentence|this phrase|means|called|known as|the term|why do attackers|why do people|red team|security awareness|awareness training|is it true that|course on|lecture|history of|write a (?:short )?(?:story|essay|poem|article|report)|quiz|translate the phrase|why would|common attacks?|such as|like the|phrases like|mitigations?|sanitiz|in a sentence|prompt injection|jailbreak|injection attack|attack example|example of|should (?:i|we) be (?:worried|concerned)|(?:tricked|fooled|manipulated|hit|targeted|attacked|compromised) by|fell for|is (?:this|that|it) (?:an? )?(?:attack|injection|malicious|dangerous|safe|expected)|how should (?:i|we) (?:categori[sz]e|classify|label|handle|respond|treat|report)|categori[sz]e|classify|classified|label(?:ed|led)? (?:as|it|this|that)?|be labell?ed|benign|malicious|expected behaviou?r|someone (?:posted|wrote|sent|typed|said)|(?:a|our|the) (?:user|tester|customer|student|attacker) (?:wrote|typed|posted|sent|said|asked)|incident report|eval (?:set|data)|test case|why (?:do|does|did|can|can t|would|is|are|should|might)|attackers?|hackers?|was bedeutet|was heisst|warum|angriff[a-z]*|por que|que significa|atacantes?|ataques?|pourquoi|que signifie|que veut dire|pirates?|attaques?)",
        Options);

    /// <summary>Gets words that address the reader (the model) in English, German, Spanish and French.</summary>
    private static readonly Regex SecondPerson = new(
        "\\b(?:you|your|yours|yourself|u|ur|du|dir|dich|dein[a-z]*|euch|euer|tu|tus|te|ti|contigo|usted|ustedes|toi|tes|ton|vous|votre|vos)\\b",
        Options);

    /// <summary>Gets the marks of a question about attacks in general (who does them, how to defend, how to label them).</summary>
    private static readonly Regex DetachedTopic = new(
        "\\b(?:attackers?|hackers?|pirates|atacantes|angreifer|attacks?|attaques?|ataques?|angriff[a-z]*|injections?|jailbreaks?|chatbots|bots|models|llms|assistants|developers|companies|someone|people|good idea|best practice|security|defen[cs]e|detect[a-z]*|prevent[a-z]*|mitigat[a-z]*|filtering|red team[a-z]*|malicious|benign|classif[a-z]*|label[a-z]*|categori[sz]e|tokens|templates|disclosure|vulnerab[a-z]*)\\b",
        Options);

    /// <summary>Gets the words a question about something starts with, in English, German, Spanish and French.</summary>
    private static readonly Regex QuestionStart = new(
        "^(?:why|how|what|what s|whats|which|when|where|who|is|are|was|were|could|can|should|would|does|do|did|will|warum|wieso|weshalb|wie|was|ist|sind|kann|konnen|sollte|sollten|por que|porque|que|como|cual|cuando|es|son|puede|pueden|pourquoi|comment|quel|quelle|quels|qu est ce|est ce|peut|faut il) ",
        Options);

    /// <summary>
    /// Tells whether the text is one question about injection in the third person: it starts with a question word,
    /// ends with a question mark, holds no other sentence, never addresses the reader, and reads as meta-discussion.
    /// </summary>
    public static bool IsDetachedQuestion(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length == 0 || trimmed.Length > 400 || trimmed[^1] != '?')
        {
            return false;
        }

        var body = trimmed[..^1];
        for (var i = 0; i + 1 < body.Length; i++)
        {
            if ((body[i] is '.' or '!' or '?' or ':' or ';' && char.IsWhiteSpace(body[i + 1])) || body[i] == '\n')
            {
                return false;
            }
        }

        var spaced = InjectionNormalizer.Spaced(text).Trim() + " ";
        return QuestionStart.IsMatch(spaced) && !SecondPerson.IsMatch(spaced) && DetachedTopic.IsMatch(spaced);
    }

    /// <summary>
    /// Joins a pattern list into one alternation. Ordinary text matches none of the patterns, so one pass of the
    /// union (one lazily built DFA) replaces a pass per pattern; the patterns run one by one only after it matches.
    /// </summary>
    internal static Regex? Union((string Family, double Weight, Regex Pattern)[] patterns)
    {
        var parts = new List<string>(patterns.Length);
        foreach (var (_, _, pattern) in patterns)
        {
            var inline = (pattern.Options & RegexOptions.IgnoreCase) != 0 ? "(?i:" : "(?:";
            parts.Add(inline + pattern + ")");
        }

        try
        {
            return new Regex(string.Join('|', parts), Options);
        }
        catch (NotSupportedException)
        {
            // The union's automaton would exceed the engine's limit: run the patterns one by one.
            return null;
        }
    }
}
