using System.Text.RegularExpressions;

namespace LlmOps.Guardrails.Injection;

/// <summary>
/// The compositional layer of the injection grammar: word classes (override verbs, rule objects, scope words,
/// disclosure verbs, hidden objects, persona frames, "no limits" qualifiers, addressees of indirect injections), in
/// English, German, Spanish and French, combined within small token windows rather than as fixed phrases. Patterns run
/// on the spaced view (lower case, accents folded, letters and single spaces), so inflections are matched by stems.
/// </summary>
internal static class InjectionGrammar
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    private static string W(int max) => $"(?:[a-z]+ ){{0,{max}}}";

    // English word classes.
    private const string EnVerb = "(?:ignor(?:e|es|ing)|disregard(?:s|ing)?|forget(?:ting)?|overrid(?:e|es|ing)|bypass(?:ing)?|skip(?:ping)?|drop(?:ping)?|abandon(?:ing)?|cancel(?:ling|ing)?|nullify|void|erase|reset|wipe|clear|discard|neglect|dismiss|ditch|scrap|circumvent|get around|set aside|throw (?:away|out)|pay no attention to|stop following|no longer follow|do not follow|don t follow|dont follow|do not obey|don t obey|stop obeying|don t worry about|do not worry about|never mind|break|violate|suspend|deactivate|disable|turn off|switch off|lift)";
    private const string EnScope = "(?:previous|prior|above|earlier|preceding|former|initial|original|all|any|every|your|its|their|system|developer|operator|old|existing|current|default|these|those|whatever)";
    private const string EnPrior = "(?:previous|prior|earlier|above|preceding|original|initial|system|safety|content)";
    private const string EnObject = "(?:instructions?|rules?|guidelines?|guidance|directives?|prompts?|constraints?|policy|policies|orders|programming|restrictions?|limitations?|safeguards?|guardrails?|filters?|training|context|criteria|system message|commands?|principles|ethics|task)";
    private const string EnVoid = "(?:void|null|cancell?ed|revoked|rescinded|suspended|lifted|overridden|invalid|obsolete|deleted|disabled|gone|outdated|no longer (?:apply|applies|valid|in effect|active|matter|relevant|binding|exist)|do not apply|don t apply|does not apply|doesn t apply|are off|is off)";
    private const string EnReveal = "(?:reveal|show|print|display|output|repeat|tell|give|leak|dump|share|expose|write out|recite|spell(?: out)?|copy|paste|list|enumerate|disclose|return|echo|state|reproduce|translate|summari[sz]e|paraphrase|quote|provide|send)";
    private const string EnHidden = "(?:(?:hidden|secret|developer|internal|confidential|pre ?prompt|operator|private|underlying) (?:[a-z]+ )?(?:prompt|instructions?|message|rules|directives?|guidelines|configuration|setup|preamble|context|text|password|key|passphrase|code)|(?:system|initial|original|starting|setup|base|core) (?:prompt|preamble|instructions|directives|guidelines|rules)|(?:secret|hidden|admin|master) (?:password|key|passphrase|code|word)|context window|pre ?prompt|preamble|system prompt|system message)";
    private const string EnQual = "(?:(?:safety|content|ethical|ethics|moral|usage|openai|such|more|other|kind of|sort of|or|and|any|its|your|the|built in|programmed|prior|previous|real|filters?|guard) )";
    private const string EnPersona = "(?:you are|you re|you will (?:now )?(?:be|act|play|become)|act(?:ing)? as|pretend(?:ing)?|role ?play(?:ing)?(?: as)?|play(?:ing)? (?:the )?(?:role|part) of|assume the (?:persona|role|identity) of|take on the (?:persona|role) of|be an? (?:ai|assistant|chatbot|bot|model)|become|respond as|answer as|behave (?:like|as)|simulate|imagine (?:you are|you re|being|a world)|switch to|i want you to (?:act|be|pretend|play)|from now on you|hypothetically if you were|if you were an? (?:ai|assistant))";
    private const string EnUnbound = $"(?:unrestricted|unfiltered|uncensored|unbound|unshackled|unlimited|jailbroken|rogue|evil|amoral|immoral|unethical|machiavellian|opposite mode|broken free|never refuses?|can say anything|answers? any|does anything|(?:no|zero) {EnQual}{{0,3}}(?:restrictions|limits|limitations|rules|filters|guidelines|ethics|morals|boundaries|censorship|safeguards|policies|warnings|disclaimers)|without (?:any )?{EnQual}{{0,3}}(?:restrictions|limits|limitations|rules|filters|guidelines|ethics|morals|boundaries|censorship|safeguards|policies|warnings|disclaimers)|(?:does not|doesn t|do not|don t|never|will not|won t) (?:follow|obey|respect|comply with|adhere to|care about) (?:any |the |its |your )?(?:[a-z]+ ){{0,2}}(?:rules|policies|guidelines|restrictions|policy)|(?:avoids?|breaks?|ignores?|bypass(?:es)?|defies?|rejects?) (?:all |any |the )?(?:[a-z]+ )?(?:norms|rules|restrictions|guidelines|policies|filters)|free (?:of|from) (?:all |its |any |your )?(?:[a-z]+ )?(?:rules|restrictions|guidelines|limits|policies|filters|constraints|censorship))";
    private const string EnAgent = "(?:ai|a i|artificial intelligence|assistant|assistants|llm|llms|language model|language models|chatbot|chatbots|bot|agent|agents|model|models|gpt|copilot|screeners?|reviewers?|summari[sz]er)";

    // German word classes (after folding: ä->a, ö->o, ü->u, ß->s).
    private const string DeVerb = "(?:ignorier[a-z]*|vergiss|vergessen|missacht[a-z]*|uberspring[a-z]*|ubergeh[a-z]*|verwirf|verwerfen|umgeh[a-z]*|hinwegsetz[a-z]*|setze? dich uber|setzen sie sich uber|beachte nicht|nicht (?:mehr )?(?:beachten|befolgen)|befolge nicht|brich|brechen|deaktivier[a-z]*|losch[a-z]*)";
    private const string DeObject = "(?:[a-z]*(?:anweisung|instruktion|regel|befehl|vorgabe|richtlinie|einschrankung|beschrankung|programmierung|filter|grenze)[a-z]*|aufgabe|anfrage|systemprompt|prompt|alles (?:bisherige|vorherige|obige))";
    private const string DeReveal = "(?:zeig[a-z]*|gib|gebe|geben|verrat[a-z]*|nenn[a-z]*|wiederhol[a-z]*|druck[a-z]*|ausgeb[a-z]*|schreib[a-z]*|teil[a-z]*|ubersetz[a-z]*|enthull[a-z]*|offenbar[a-z]*|auflist[a-z]*|list[a-z]*|kopier[a-z]*|sag[a-z]*)";
    private const string DeHidden = "(?:(?:system|geheim|versteckt|verborgen|intern|ursprunglich|initial|anfangs|vertraulich)[a-z]* (?:[a-z]+ )?(?:prompt|anweisung|instruktion|regel|passwort|kennwort|nachricht|vorgabe|konfiguration|text|schlussel)[a-z]*|(?:system|geheim|anfangs)(?:prompt|anweisung|instruktion|regel|passwort|nachricht|vorgabe)[a-z]*|initialen prompt|geheim (?:halten|bleiben))";
    private const string DePersona = "(?:du bist|sie sind|tu so|tun sie so|spiel[a-z]* (?:die|eine) rolle|handle als|handeln sie als|verhalte dich|benimm dich|agier[a-z]* als|stell dir vor|simulier[a-z]*|werde zu|sei (?:ein|eine))";
    private const string DeUnbound = "(?:ohne|keine[nrms]?|unzensiert[a-z]*|uneingeschrankt[a-z]*|unbeschrankt[a-z]*|ungefiltert[a-z]*|bose[nrms]?|boswillig[a-z]*|alle regeln bricht|regeln bricht|jailbreak|entwicklermodus|frei von)";

    // Spanish word classes (accents folded, ñ->n).
    private const string EsVerb = "(?:ignor[a-z]*|olvid[a-z]*|omit[a-z]*|descart[a-z]*|desobedec[a-z]*|desoye|haz caso omiso|hagan caso omiso|no (?:hagas|hagan|haga) (?:mas )?caso|pasa por alto|pasar por alto|anul[a-z]*|salt[a-z]*|elud[a-z]*|evad[a-z]*|deja de lado|deja de seguir|no sigas|no obedezcas|desactiv[a-z]*|romp[a-z]*|borr[a-z]*)";
    private const string EsObject = "(?:instruccion[a-z]*|reglas?|indicacion[a-z]*|ordenes|orden|directriz|directrices|normas?|politicas?|programacion|restriccion[a-z]*|limitacion[a-z]*|filtros?|lo anterior|lo que precede|peticion|solicitud|consignas?|pautas?)";
    private const string EsReveal = "(?:muestr[a-z]*|revel[a-z]*|dime|dinos|di|repit[a-z]*|imprim[a-z]*|ensen[a-z]*|escrib[a-z]*|compart[a-z]*|enumer[a-z]*|lista|traduc[a-z]*|dame|danos|copia|expon[a-z]*|desvel[a-z]*|filtra)";
    private const string EsHidden = "(?:(?:tus|tu|sus|su) (?:[a-z]+ )?(?:instrucciones|mensaje|reglas|indicaciones|configuracion|directrices) (?:del|de) (?:tu )?sistema|prompt (?:del|de) sistema|(?:instrucciones|prompt|mensaje|reglas|contrasena|clave|texto|indicaciones|configuracion|directrices) (?:[a-z]+ ){0,2}(?:iniciales?|ocultas?|ocultos?|originales?|secretas?|secretos?|internas?|internos?|confidenciales?)|(?:contrasena|clave|palabra) secreta|prompt (?:inicial|del sistema)|en secreto)";
    private const string EsPersona = "(?:ahora eres|eres ahora|a partir de ahora eres|desde ahora eres|actua como|actuar como|finge[a-z]*|fingir|comportate como|haz de|juega (?:el|un) papel|interpreta[a-z]*|simula[a-z]*|imagina que eres|conviertete en|se (?:un|una) ia)";
    private const string EsUnbound = "(?:sin (?:ningun[a]? |ninguna |tipo de |tus |sus )?(?:[a-z]+ )?(?:restriccion|filtro|regla|limite|limitacion|censura|etica|norma)[a-z]*|libre de|malvad[a-z]*|malign[a-z]*|desbloquead[a-z]*|sin censura|no censurad[a-z]*|rompe (?:todas )?las reglas|no hay (?:[a-z]+ )?(?:restriccion|filtro|regla|limite|politica|censura)[a-z]*)";

    // French word classes (accents folded; apostrophes are spaces in the spaced view).
    private const string FrVerb = "(?:ignor[a-z]*|oubli[a-z]*|neglig[a-z]*|passe[rz]? outre|passez outre|fai(?:s|tes) abstraction|ecart[a-z]*|contourn[a-z]*|ne (?:tiens|tenez|tenir|tiendras) (?:pas|plus) compte|ne pas tenir compte|laisse[rz]? de cote|annul[a-z]*|desobei[a-z]*|enfrein[a-z]*|transgress[a-z]*|desactiv[a-z]*|efface[rz]?|abandonne[rz]?|outrepass[a-z]*)";
    private const string FrObject = "(?:instructions?|regles?|consignes?|directives?|ordres?|politiques?|programmation|restrictions?|limites?|limitations?|filtres?|ce qui precede|tout ce qui precede|demande|requete|principes?)";
    private const string FrReveal = "(?:revel[a-z]*|montr[a-z]*|affich[a-z]*|repet[a-z]*|donne[rz]?|dis|dites|dire|ecri[a-z]*|enumer[a-z]*|tradui[a-z]*|imprim[a-z]*|recopi[a-z]*|copie[rz]?|divulgu[a-z]*|partage[rz]?|communiqu[a-z]*|liste[rz]?|cite[rz]?)";
    private const string FrHidden = "(?:(?:tes|ton|ta|vos|votre|son|ses) (?:[a-z]+ )?(?:instructions?|consignes?|message|regles?|directives?|configuration) (?:du )?systeme|prompt (?:du )?systeme|(?:instructions?|prompt|consignes?|message|regles?|mot de passe|texte|directives?|configuration) (?:[a-z]+ ){0,2}(?:cache[a-z]*|originel[a-z]*|original[a-z]*|secret[a-z]*|intern[a-z]*|confidentiel[a-z]*)|mot de passe secret|(?:garder|rester|tenir) secret[a-z]*)";
    private const string FrPersona = "(?:fai(?:s|tes) comme si (?:tu|vous)|fai(?:s|tes) semblant|joue[rz]? (?:le|un) role|comporte toi comme|comportez vous comme|agis comme|agissez comme|tu es (?:maintenant|desormais|a present)|vous etes (?:maintenant|desormais)|desormais tu es|incarne[rz]?|imagine que tu es|deviens|sois (?:une?|une ia))";
    private const string FrUnbound = "(?:sans (?:aucune? |aucuns? |tes |ses |la moindre )?(?:[a-z]+ )?(?:restriction|filtre|regle|limite|limitation|censure|ethique|politique)[a-z]*|non censure[a-z]*|debride[a-z]*|malefique[a-z]*|malveillant[a-z]*|libre de|enfreint (?:toutes )?les regles|sans aucun)";

    /// <summary>Gets the compositional patterns: family, weight, regex (spaced view).</summary>
    public static readonly (string Family, double Weight, Regex Pattern)[] Patterns =
    [
        // Override: verb x scope x object, and declarations that the rules are void.
        ("override", 0.85, new($"\\b{EnVerb} {W(3)}{EnScope} {W(3)}{EnObject}\\b", Options)),
        ("override", 0.85, new($"\\b{EnVerb} (?:everything|anything|all|whatever|what) (?:that )?(?:[a-z]+ ){{0,2}}(?:you were|you ve been|you have been|you got|was|i|they|it was|your (?:[a-z]+ )?(?:developers?|creators?|operators?|owners?|makers?)) (?:[a-z]+ )?(?:told|said|given|taught|instructed|programmed|asked|trained|configured|set up|wrote|gave you)", Options)),
        ("override", 0.8, new($"\\b(?:your (?:[a-z]+ )?|all (?:the |your |of your )?(?:{EnPrior} )?|(?:the |these |those )?{EnPrior} ){EnObject} (?:[a-z]+ ){{0,3}}{EnVoid}\\b", Options)),
        ("override", 0.75, new($"\\b(?:ignore|disregard|forget|skip|override|bypass) (?:what(?:ever)? )?(?:the|this) user(?: s)?(?: {W(1)}(?:request|question|query|prompt|message|instructions?|asked|says|wants|task))?\\b", Options)),
        ("override", 0.75, new($"\\b(?:ignore|disregard|forget) (?:the )?(?:contents?|text|rest) of (?:this|the) (?:document|page|email|message|file|input)", Options)),
        ("override", 0.85, new($"\\b{EnVerb} {W(2)}the (?:[a-z]+ )?{EnObject} (?:that |which )?(?:you (?:were|ve been|have been|got|received|started|began|had|are following)|given to you|above|before this|so far|earlier)|\\b{EnVerb} {W(2)}the system (?:message|prompt|instructions)", Options)),
        ("override", 0.8, new("\\b(?:nothing|none) (?:of )?(?:what )?(?:that )?(?:you (?:were|ve been|have been|got)) (?:[a-z]+ ){0,3}(?:told|instructed|given|programmed|taught) (?:[a-z]+ ){0,3}(?:matters|applies|counts|is valid)", Options)),
        ("override", 0.5, new("\\b(?:obey|follow|listen to) (?:only )?(?:me|my (?:orders|commands|instructions)) (?:instead|only|now|alone)|\\bthe only rule (?:now )?is\\b|\\bstart fresh with no\\b", Options)),

        // Extraction: disclosure verb x hidden object, questions about what the model was told, and the preamble.
        ("extraction", 0.85, new($"\\b{EnReveal} {W(6)}{EnHidden}\\b", Options)),
        ("extraction", 0.6, new("\\b(?:text|everything|words|content|message|whatever) (?:that |which )?(?:came|comes|appears|appeared|is|was|were|written|stands) (?:right |directly |immediately )?(?:before|above) (?:this|my|the user s) (?:message|prompt|line|question|input)", Options)),
        ("extraction", 0.75, new($"\\b{EnReveal} (?:me |us )?(?:all (?:of )?)?your {W(1)}(?:prompt|instructions|rules|directives|guidelines|configuration|preamble|password|secret)\\b|\\b{EnReveal} (?:me |us )?the (?:[a-z]+ )?(?:prompt|preamble)\\b", Options)),
        ("extraction", 0.75, new("\\b(?:what|which) (?:instructions|rules|orders|guidelines|directives|prompt) (?:did|were|have|has) (?:your |the )?(?:developer|operator|creator|owner|they|you|system|admin)", Options)),
        ("extraction", 0.75, new("\\b(?:told|tell|instructed|asked|programmed|ordered) (?:you )?(?:never |not )to (?:share|reveal|disclose|tell|mention|repeat|say|show|output)", Options)),
        ("extraction", 0.75, new("\\b(?:prompt|instructions|text|message) (?:that |which )?(?:was |were )?used to (?:set (?:you )?up|configure|initiali[sz]e|program|create|prime)", Options)),
        ("extraction", 0.6, new("\\bbefore (?:my|our|the user s|the|i sent my) (?:very )?(?:first|initial) (?:message|prompt|question|input)|\\bbefore i (?:started|began) (?:talking|typing|writing|chatting)|\\b(?:very )?(?:top|start|beginning) of (?:this|the|our) (?:conversation|chat|context)", Options)),
        ("extraction", 0.35, new("\\b(?:copy|repeat|print|output|reproduce|write) (?:it|them|that|this|everything)? ?(?:exactly|verbatim|word for word|in full|completely|in a code ?block)", Options)),
        ("extraction", 0.55, new("\\b(?:start|begin) your (?:answer|response|reply) with (?:my|the) (?:instructions|prompt|system|rules)", Options)),
        ("extraction", 0.55, new("\\b(?:secret|hidden) (?:password|key|passphrase)\\b", Options)),
        ("extraction", 0.6, new("\\b(?:first|initial|earliest|very first) (?:message|prompt|instruction|instructions|text) (?:in|of) (?:this|the|our) (?:conversation|chat|session|context|thread)", Options)),

        // Persona jailbreaks: a persona frame followed closely by an unbound qualifier, and named-mode switches.
        ("roleplay", 0.85, new($"\\b{EnPersona} {W(8)}{EnUnbound}", Options)),
        ("roleplay", 0.7, new("\\b(?:ai|assistant|chatbot|bot|model|entity|character|twin|version|persona) (?:that|who|which) (?:[a-z]+ ){0,2}(?:has no|have no|does not follow|doesn t follow|ignores|has broken free|never refuses|can say anything|answers any|does anything|is free from|is not bound)", Options)),
        ("roleplay", 0.7, new("\\b(?:enable|activate|enter|switch to|turn on|engage|go into|unlock) (?:[a-z]+ ){0,2}(?:developer|god|debug|admin|jailbreak|dan|sudo|unrestricted|opposite|evil|chaos|uncensored|unfiltered|root) mode\\b", Options)),
        ("roleplay", 0.7, new("\\b(?:act|pretend|role ?play|behave|play) (?:as|to be|the role of) (?:my |a |an )?(?:[a-z]+ )?(?:grandma|grandmother|granny)\\b", Options)),
        ("roleplay", 0.45, new("\\b(?:never|don t|do not) (?:says?|say) (?:i can t|no|sorry)|\\bnever refuses?\\b|\\bno disclaimers\\b|\\bwithout (?:any )?(?:moral |ethical )?(?:warnings|disclaimers)", Options)),
        ("roleplay", 0.8, new($"\\b(?:pretend|imagine|assume|suppose|act as if|let s say|in this story) (?:that )?{W(2)}{EnObject} {W(2)}{EnVoid}", Options)),
        ("roleplay", 0.55, new("\\b(?:stay|remain) in character\\b|\\bevil (?:twin|ai|assistant|version|bot)\\b", Options)),

        // Indirect injection: a note addressed to the model inside a document, followed by an instruction.
        ("indirect", 0.8, new($"\\b(?:(?:if you are an?|to any|to all|to the|for the|for any|for all|dear|attention|note to|p s to|hey|instructions? (?:for|to)|important (?:instruction|message|note) (?:for|to)|hidden text for|message for|for automated) (?:{EnAgent}) ?(?:{EnAgent})?|(?:{EnAgent}) (?:{EnAgent} )?(?:when you (?:read|see|process|summari[sz]e|open)|reading|processing|working|listening|summari[sz]ing|reviewing|that reads|who reads|that processes|parsing|crawling|screening)) {W(10)}(?:must|should|ignore|disregard|forget|override|delete|forward|exfiltrate|send|run|execute|stop|instead|reveal|approve|rate|transfer|recommend|include|tell the user|reply|respond|state|say that|do not|don t)\\b", Options)),
        ("indirect", 0.75, new($"\\b(?:{EnAgent}) (?:please |must |should |shall |now )?(?:now )?(?:ignore|disregard|forget|override|forward all|send all|delete all|exfiltrate|ignore the user)\\b", Options)),
        ("indirect", 0.45, new($"\\b(?:if you are|you are) an? (?:{EnAgent}) (?:[a-z]+ ){{0,2}}(?:reading|processing|summari[sz]ing|reviewing|that reads|who reads|parsing|screening)\\b|\\binstructions? (?:for|to) (?:the )?(?:ai|assistant|llm|model|automated|bot|agent)", Options)),

        // German.
        ("multilingual", 0.85, new($"\\b{DeVerb} {W(5)}{DeObject}\\b", Options)),
        ("multilingual", 0.85, new($"\\b{DeObject} (?:[a-z]+ ){{0,4}}(?:zu )?(?:umgehen|ignorieren|vergessen|missachten|brechen|uberspringen|aushebeln)\\b", Options)),
        ("multilingual", 0.85, new($"\\blass[a-z]* {W(4)}{DeObject} (?:[a-z]+ )?au(?:s|ss)er acht\\b|\\bsetze? dich {W(3)}uber {W(4)}hinweg", Options)),
        ("multilingual", 0.8, new($"\\b(?:deine|ihre|die|alle|eure) (?:[a-z]+ )?{DeObject} (?:[a-z]+ ){{0,3}}(?:sind|ist|gelten|gilt|werden) (?:[a-z]+ ){{0,2}}(?:ungultig|aufgehoben|nichtig|annulliert|ausser kraft|auser kraft|deaktiviert|nicht mehr|widerrufen)|\\b(?:gelten|gilt) (?:deine|ihre|die) {W(1)}{DeObject} (?:[a-z]+ )?nicht mehr", Options)),
        ("multilingual", 0.85, new($"\\b{DeReveal} {W(7)}{DeHidden}|\\b{DeHidden} (?:[a-z]+ ){{0,4}}(?:aus|ausgeben|preis|offen|zeigen|nennen|verraten)\\b|\\b(?:was steht|was sagt|was sagen|wie lautet|wie lauten) (?:in )?(?:deine[nmrs]?|ihre[nmrs]?|die|der|dein) {W(1)}{DeHidden}", Options)),
        ("multilingual", 0.6, new("\\bvor (?:meiner|der|unserer) (?:allerersten|ersten) (?:nachricht|frage|eingabe)|\\bgeheime[ns]? (?:passwort|kennwort|schlussel)", Options)),
        ("multilingual", 0.8, new($"\\b{DePersona} {W(8)}{DeUnbound}", Options)),
        ("multilingual", 0.8, new("\\b(?:an|fur) (?:die|den|das|alle) (?:ki|ai|assistent[a-z]*|modell|sprachmodell|bot|agent[a-z]*)[a-z]* (?:[a-z]+ ){0,8}(?:ignorier|vergiss|missacht|leite|sende|losch|schick|gib)", Options)),
        ("multilingual", 0.45, new("\\b(?:entwicklermodus|gottmodus|dan modus|jailbreak modus)\\b|\\bkeine [a-z]*(?:richtlinien|regeln|filter|einschrankungen) (?:gelten|mehr)", Options)),

        // Spanish.
        ("multilingual", 0.85, new($"\\b{EsVerb} {W(5)}{EsObject}\\b", Options)),
        ("multilingual", 0.8, new($"\\b(?:tus|sus|las|los|todas las|todos los) (?:[a-z]+ )?{EsObject} (?:[a-z]+ ){{0,2}}(?:ya no (?:se )?(?:aplican|valen|cuentan|rigen|existen|son validas)|quedan (?:anuladas|anulados|sin efecto|revocadas|revocados|suspendidas)|(?:estan|son|fueron|han sido) (?:anuladas|anulados|nulas|nulos|revocadas|revocados|invalidas|canceladas))|\\bya no tienes (?:[a-z]+ )?(?:limitaciones|restricciones|reglas|filtros|limites)", Options)),
        ("multilingual", 0.85, new($"\\b{EsReveal} {W(7)}{EsHidden}|\\bque (?:dicen|dice) (?:(?:tus|tu|sus|las) {W(1)})?{EsHidden}|\\b{EsReveal} (?:me )?(?:tus|tu) (?:[a-z]+ )?(?:instrucciones|prompt|reglas|directrices|configuracion)", Options)),
        ("multilingual", 0.6, new("\\bantes de (?:mi|nuestro|el) (?:primer|primero) (?:mensaje|pregunta)", Options)),
        ("multilingual", 0.8, new($"\\b{EsPersona} {W(8)}{EsUnbound}", Options)),
        ("multilingual", 0.45, new($"\\b{EsUnbound}\\b|\\bmodo (?:desarrollador|libre|dios|dan|sin restricciones|jailbreak)\\b", Options)),
        ("multilingual", 0.8, new("\\b(?:para|a) (?:la|el|cualquier|toda) (?:ia|ai|asistente|modelo|bot|agente|inteligencia artificial) (?:[a-z]+ ){0,8}(?:ignora|olvida|reenvia|envia|borra|elimina|manda|revela)", Options)),

        // French.
        ("multilingual", 0.85, new($"\\b{FrVerb} {W(5)}{FrObject}\\b", Options)),
        ("multilingual", 0.8, new($"\\b(?:tes|vos|les|toutes les|tous les|ses) (?:[a-z]+ )?{FrObject} (?:[a-z]+ ){{0,2}}(?:ne s appliquent plus|sont (?:annule|revoque|nul|caduque|suspendu|invalide)[a-z]*|n ont plus (?:cours|d effet)|ne comptent plus|ne sont plus valables)", Options)),
        ("multilingual", 0.85, new($"\\b{FrReveal} {W(7)}{FrHidden}|\\bque (?:disent|dit) (?:(?:tes|ton|vos|votre|les) {W(1)})?{FrHidden}|\\b{FrReveal} (?:moi )?(?:tes|ton|vos|votre) (?:[a-z]+ )?(?:instructions|prompt|regles|consignes|directives|configuration)", Options)),
        ("multilingual", 0.6, new("\\bavant (?:mon|notre|le) (?:tout )?premier (?:message|prompt)", Options)),
        ("multilingual", 0.8, new($"\\b{FrPersona} {W(8)}{FrUnbound}", Options)),
        ("multilingual", 0.45, new($"\\b{FrUnbound}\\b|\\bmode (?:developpeur|libre|dieu|dan|sans restriction[s]?|jailbreak)\\b", Options)),
        ("multilingual", 0.8, new("\\b(?:a|pour) (?:l|la|le|toute|tout) (?:ia|ai|assistant|modele|bot|agent|intelligence artificielle) (?:[a-z]+ ){0,8}(?:ignore|oublie|transfere|envoie|supprime|efface|revele)", Options)),
    ];


    /// <summary>
    /// Words that must occur for each English pattern to match (one entry per English pattern, in order): a token scan
    /// with one hash lookup per word selects the patterns worth running, so ordinary text runs few of them.
    /// </summary>
    private static readonly string[] EnglishTriggers =
    [
        "ignore ignores ignoring disregard disregards disregarding forget forgetting override overrides overriding bypass bypassing skip skipping drop dropping abandon abandoning cancel cancelling canceling nullify void erase reset wipe clear discard neglect dismiss ditch scrap circumvent get set throw pay stop no do don dont never break violate suspend deactivate disable turn switch lift",
        "ignore ignores ignoring disregard disregards disregarding forget forgetting override overrides overriding bypass bypassing skip skipping drop dropping abandon abandoning cancel cancelling canceling nullify void erase reset wipe clear discard neglect dismiss ditch scrap circumvent get set throw pay stop no do don dont never break violate suspend deactivate disable turn switch lift",
        "void null cancelled canceled revoked rescinded suspended lifted overridden invalid obsolete deleted disabled gone outdated longer apply applies",
        "ignore disregard forget skip override bypass",
        "ignore disregard forget",
        "ignore ignores ignoring disregard disregards disregarding forget forgetting override overrides overriding bypass bypassing skip skipping drop dropping abandon abandoning cancel cancelling canceling nullify void erase reset wipe clear discard neglect dismiss ditch scrap circumvent get set throw pay stop no do don dont never break violate suspend deactivate disable turn switch lift",
        "nothing none",
        "obey follow listen only start",
        "prompt preamble instructions instruction directives directive guidelines rules configuration setup context message text password key passphrase code window",
        "message prompt line input question",
        "prompt instructions rules directives guidelines configuration preamble password secret",
        "what which",
        "never not",
        "used",
        "conversation chat context message prompt question input talking typing writing chatting",
        "exactly verbatim word full completely code codeblock",
        "start begin",
        "secret hidden",
        "first initial earliest",
        "unrestricted unfiltered uncensored unbound unshackled unlimited jailbroken rogue evil amoral immoral unethical machiavellian opposite broken refuses refuse restrictions limits limitations rules filters guidelines ethics morals boundaries censorship safeguards policies policy warnings disclaimers norms",
        "that who which",
        "mode",
        "grandma grandmother granny",
        "never disclaimers warnings",
        "void null cancelled canceled revoked rescinded suspended lifted overridden invalid obsolete deleted disabled gone outdated longer apply applies",
        "character evil",
        "ai assistant assistants llm llms chatbot chatbots bot agent agents model models gpt copilot screener screeners reviewer reviewers summarizer summariser",
        "ai assistant assistants llm llms chatbot chatbots bot agent agents model models gpt copilot screener screeners reviewer reviewers summarizer summariser",
        "ai assistant assistants llm llms chatbot chatbots bot agent agents model models gpt copilot screener screeners reviewer reviewers summarizer summariser",
    ];

    private static readonly Dictionary<string, ulong> TriggerIndex = BuildTriggerIndex();

    /// <summary>Gets the number of English patterns (the first ones in <see cref="Patterns"/>).</summary>
    public static int EnglishCount => EnglishTriggers.Length;

    /// <summary>Gets a bit mask of the English patterns whose trigger words occur in the spaced view.</summary>
    public static ulong Triggered(string spaced) => Triggered(spaced, out _);

    /// <summary>
    /// Reads the spaced view's words once: returns the bit mask of the English patterns whose trigger words occur, and
    /// sets <paramref name="languages"/> to the bit mask of the other languages (bit 0 German, 1 Spanish, 2 French) whose
    /// function words occur, so their grammars run (<see cref="Languages"/>). The spaced view holds letters and single
    /// spaces only, so its words are exactly what a <c>\b(?:word|...)\b</c> gate would match. The words are read from bit
    /// masks of the spaces (<see cref="SpacedWords"/>).
    /// </summary>
    /// <param name="spaced">The spaced view.</param>
    /// <param name="languages">The languages whose gate words occur.</param>
    /// <returns>The English patterns to run.</returns>
    public static ulong Triggered(string spaced, out int languages)
    {
        var lookup = TriggerIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        var gates = GateIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        ulong mask = 0;
        var found = 0;
        var span = spaced.AsSpan();
        var words = new SpacedWords(span);
        while (words.Next(out var start, out var length))
        {
            var word = span.Slice(start, length);
            // Most words have no listed word's length, first and last letter: one table read skips both lookups.
            var listed = MayBeListed(word);
            if (listed && lookup.TryGetValue(word, out var bits))
            {
                mask |= bits;
            }

            if (found != AllLanguages)
            {
                if (listed && gates.TryGetValue(word, out var language))
                {
                    found |= language;
                }
                else if (word[0] is 'd' or 'i' && (word.StartsWith("dein") || word.StartsWith("ihr")))
                {
                    // The German gate's open classes: dein[a-z]*, ihr[a-z]*.
                    found |= 1;
                }
            }
        }

        languages = found;
        return mask;
    }

    private const int AllLanguages = 7;

    // The function words of German, Spanish and French (the words whose presence makes that language's grammar run).
    private static readonly string[] GateWords =
    [
        "der die das den dem und du dir dich sie nicht ist mit ein eine einen einem einer eines mir mich alle allen alles zu von sind auf fur aus",
        "el la los las que y de tu tus por para un una es lo mi te sin del al se eres ya",
        "le la les des et tu tes ton vous vos votre est une du pour ne pas moi toi ce qui sans au aux l qu",
    ];

    private static readonly Dictionary<string, int> GateIndex = BuildGateIndex();

    // For each word length (15 stands for 15 and longer) and first letter, the last letters of the trigger and gate words
    // of that shape. After both indexes (static fields initialise in order).
    private const int LongestShape = 15;
    private static readonly uint[] Shapes = BuildShapes();

    /// <summary>Whether a word may be a trigger or gate word: false only when no listed word has its length, first and last letter.</summary>
    private static bool MayBeListed(ReadOnlySpan<char> word)
    {
        var first = (uint)(word[0] - 'a');
        var last = (uint)(word[^1] - 'a');
        return first >= 26 || last >= 26 || (Shapes[(Math.Min(word.Length, LongestShape) * 26) + (int)first] & (1u << (int)last)) != 0;
    }

    private static uint[] BuildShapes()
    {
        var shapes = new uint[(LongestShape + 1) * 26];
        foreach (var word in TriggerIndex.Keys.Concat(GateIndex.Keys))
        {
            var first = word[0] - 'a';
            var last = word[^1] - 'a';
            if ((uint)first >= 26 || (uint)last >= 26)
            {
                throw new InvalidOperationException($"The trigger or gate word '{word}' must start and end with a letter a-z.");
            }

            shapes[(Math.Min(word.Length, LongestShape) * 26) + first] |= 1u << last;
        }

        return shapes;
    }

    private static Dictionary<string, int> BuildGateIndex()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < GateWords.Length; i++)
        {
            foreach (var word in GateWords[i].Split(' '))
            {
                index[word] = index.GetValueOrDefault(word) | (1 << i);
            }
        }

        return index;
    }

    private static Dictionary<string, ulong> BuildTriggerIndex()
    {
        var index = new Dictionary<string, ulong>(StringComparer.Ordinal);
        for (var i = 0; i < EnglishTriggers.Length; i++)
        {
            foreach (var word in EnglishTriggers[i].Split(' '))
            {
                index[word] = index.GetValueOrDefault(word) | (1UL << i);
            }
        }

        return index;
    }

    private static (int Gate, (string Family, double Weight, Regex Pattern)[] Patterns)[] BuildLanguages()
    {
        var german = Array.FindIndex(Patterns, p => p.Pattern.ToString().StartsWith("\\b(?:ignorier", StringComparison.Ordinal));
        var spanish = Array.FindIndex(Patterns, p => p.Pattern.ToString().StartsWith("\\b(?:ignor[a-z]*|olvid", StringComparison.Ordinal));
        var french = Array.FindIndex(Patterns, p => p.Pattern.ToString().StartsWith("\\b(?:ignor[a-z]*|oubli", StringComparison.Ordinal));
        if (german != EnglishTriggers.Length)
        {
            throw new InvalidOperationException($"InjectionGrammar has {german} English patterns but {EnglishTriggers.Length} trigger entries.");
        }

        return
        [
            (-1, Patterns[..german]),  // English: selected by Triggered's pattern mask.
            (0, Patterns[german..spanish]),
            (1, Patterns[spanish..french]),
            (2, Patterns[french..]),
        ];
    }

    // Declared last: static fields initialise in order, and this one reads the trigger table.
    /// <summary>
    /// Gets the patterns by language, each with its gate: the bit of <see cref="Triggered(string, out int)"/>'s language
    /// mask (-1 for English, whose patterns are selected one by one). Patterns of a language run only on text that holds
    /// one of that language's function words, so English text does not pay for the German, Spanish and French grammars
    /// (the word-window patterns are too large to join into one automaton).
    /// </summary>
    public static readonly (int Gate, (string Family, double Weight, Regex Pattern)[] Patterns)[] Languages = BuildLanguages();
}
