using System.Text.RegularExpressions;

namespace LlmOps.Caching;

/// <summary>
/// The text of a question that the semantic tier embeds and fingerprints: the question without the courtesy around it.
/// Greetings ("hey", "hi there"), fillers ("quick question:", "one more thing,", "sorry to bother you, but"), requests
/// addressed to the assistant ("could you please tell me", "I was wondering if you could explain"), "please" and a
/// closing "thanks" change how a question is asked, not what it asks; left in, they lower the embedding similarity of a
/// paraphrase and read as differing words (or a negation: "if it's not too much trouble", a number: "quick one") to the
/// guards and the pair check.
/// </summary>
/// <remarks>
/// Only phrases at the start and the end are removed (and "please"/"kindly" anywhere), each only when it is one of these
/// closed phrases followed by a separator or by the rest of a request, so the words that carry the question stay.
/// A text that would be left empty is returned unchanged. Thread-safe.
/// </remarks>
internal static partial class CacheQuestionText
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    /// <summary>
    /// Greetings and fillers at the start, each followed by punctuation; a greeting also before a question word ("hey
    /// what's …", kept as <c>next</c>), but not before any word ("Hello world in Java").
    /// </summary>
    [GeneratedRegex(
        @"^\s*(?:"
        + @"(?:hi|hello|hey|heya|hiya|yo|greetings|dude|good (?:morning|afternoon|evening|day))(?: (?:there|all|everyone|team|folks|guys|assistant|buddy|mate|friend|hi))?(?:\s*[,!.:;\-]+\s*|\s+(?<next>what|what's|whats|how|why|when|where|who|which|is|are|can|could|do|does|i|my)\b)"
        + @"|(?:hi|hello|hey|dear) [a-z]+(?: team)?\s*[,!]+\s*|(?:um+|uh+|erm+|hmm+)\s+"
        + @"|(?:um+|uh+|hmm+|ugh|so like|ok so|okay so|so basically|ok|okay|so|well|basically|honestly|anyway|alright|right)\s*[,:;.!\-]+\s*"
        + @"|(?:(?:a |one )?(?:quick|short|simple) (?:question|one|q)|real(?:ly)? quick(?: one| question)?|one (?:more|last) (?:thing|question)|just (?:curious|checking|wondering|asking)"
        + @"|sorry to (?:bother|trouble) you|(?:sorry|i apologi[sz]e) if this is a (?:dumb|silly|stupid|basic) question|i have a (?:quick )?question(?: for you)?(?: if you don'?t mind)?|question"
        + @"|if it'?s not too much trouble|if you don'?t mind|thanks in advance|thank you(?: so much)?(?: for (?:your|the) help(?: earlier)?)?|thanks(?: so much)?(?: for (?:your|the) help(?: earlier)?)?"
        + @"|i hope (?:you'?re|you are) (?:well|doing well|good)|hope (?:you'?re|you are) (?:well|doing well|good)|hope your day is going (?:well|great|good)"
        + @"|long[- ]time user here|(?:please )?and thank you|let me think|i(?:'?m| am) just wondering(?:,? honestly)?|i was wondering|just wondering)"
        + @"(?:,? please)?(?:\s*\.\.\.|\s*[,:;.!?\-]+)(?:\s*but\b)?\s*"
        + @")",
        Options)]
    private static partial Regex Preamble();

    /// <summary>A request addressed to the assistant before the question itself ("could you please tell me how …").</summary>
    [GeneratedRegex(
        @"^\s*(?:"
        + @"(?:could|can|would|will) you(?: please| kindly)? (?:(?:please|kindly) )?(?:tell me|let me know|explain(?: to me)?|show me|help me (?:understand|figure out)|remind me)\b,?\s*"
        + @"|(?:could|can|would|will) you (?:please|kindly) "
        + @"|i(?:'d| would) (?:love|like) to (?:know|learn|find out)\b\s*"
        + @"|i want to know\b\s*|i(?:'d| would) be grateful if you could(?: explain| tell me)?\b\s*|i would appreciate (?:it )?if you could(?: explain| tell me)?\b\s*"
        + @"|(?:so )?(?:i was|i'?m|i am)(?: just)? wondering(?: if you could(?: tell me| explain)?| whether| if)?\b,?\s*"
        + @"|i(?:'d| would)(?: really)? (?:appreciate(?: it)?|be grateful) if you could(?: explain| tell me| help me(?: understand| figure out)?)?\b\s*"
        + @"|i was hoping you (?:could|might|can|would) (?:explain|tell me|help me(?: understand| figure out)?)\b\s*"
        + @"|i(?:'d| would) like to\b\s*|i (?:really )?need to know\b\s*|(?:tell|show|remind) me\b\s*|walk me through\b\s*|help[,:!.]+\s*"
        + @"|(?:i guess )?my question is\b,?\s*"
        + @")",
        Options)]
    private static partial Regex Request();

    /// <summary>
    /// "Can you …" before a verb that asks the assistant to do something ("can you summarize …" is "summarize …"). Verbs
    /// of ability are not among them: "can you use olive oil for deep frying" asks whether one can.
    /// </summary>
    [GeneratedRegex(
        @"^\s*(?:could|can|would|will) you (?:(?:please|kindly) )?(?<verb>(?:summari[sz]e|translate|recommend|suggest|proofread|describe|convert|clarify|add|list|find|show|write|draft|check|calculate|compute|define|compare|create|generate|plan|book|remind|send|provide|specify|outline|rewrite|give|set|help|look up|walk me through)\b)",
        Options)]
    private static partial Regex RequestVerb();

    /// <summary>
    /// "please" and "kindly" where they are courtesy: at the start, after "you" or a comma ("could you please …",
    /// "quick question, please: …"), or closing the question; not where they are the word asked about ("what does
    /// please mean").
    /// </summary>
    [GeneratedRegex(@"(?<before>^\s*|\byou |, |\bme )(?:please|pls|plz|kindly)\b,?\s*|,?\s*\b(?:please|pls|plz)\s*(?<end>[.!?]*)\s*$", Options)]
    private static partial Regex Please();

    /// <summary>A closing "thanks" or "thank you so much!" after the question's punctuation, and a closing "anyway".</summary>
    [GeneratedRegex(@"(?:[.!?,]\s*(?:many thanks|thanks|thank you|thx|ty|kind regards|best regards|regards|cheers)(?: (?:so|very) much| a lot| in advance)?|,?\s+anyway)[\s.!?]*$", Options)]
    private static partial Regex Closing();

    /// <summary>"how to" and "is it possible to" ask what "how do I" and "can I" ask.</summary>
    [GeneratedRegex(@"\b(?:(?<how>how) to|is it possible (?:for me )?to)\b", Options)]
    private static partial Regex Frame();

    /// <summary>The question without the courtesy around it (see <see cref="CacheQuestionText"/>).</summary>
    /// <param name="text">The question.</param>
    /// <returns>The question to embed and fingerprint; <paramref name="text"/> itself when nothing is removed.</returns>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = text;

        result = StripOpening(result);
        result = Closing().Replace(result, string.Empty, 1);
        if (result.AsSpan().IndexOfAny('"', '\u201C') < 0)
        {
            // A quoted "please" is what the question is about ("translate \"please\" into Spanish"). "Hi, quick question
            // please: …" has an opening left once "please" is gone.
            var withoutPlease = Please().Replace(result, "${before}${end}");
            result = withoutPlease.Length == result.Length ? result : StripOpening(withoutPlease);
        }

        result = Frame().Replace(result, static m => m.Groups["how"].Success ? "how do I" : "can I");
        return string.IsNullOrWhiteSpace(result) || string.Equals(result, text, StringComparison.Ordinal) ? text : result.Trim();
    }

    /// <summary>Removes greetings, fillers and requests to the assistant from the start; they come in runs ("Hi! Really quick one: …").</summary>
    private static string StripOpening(string text)
    {
        for (var round = 0; round < 4; round++)
        {
            var stripped = Request().Replace(Preamble().Replace(text, "${next}", 1), string.Empty, 1);
            stripped = RequestVerb().Replace(stripped, "${verb}", 1);
            if (stripped.Length == text.Length)
            {
                break;
            }

            text = stripped;
        }

        return text;
    }
}
