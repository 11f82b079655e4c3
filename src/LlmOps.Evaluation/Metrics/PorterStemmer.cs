namespace LlmOps.Evaluation.Metrics;

/// <summary>
/// Porter's stemming algorithm (M. F. Porter, "An algorithm for suffix stripping", 1980) with NLTK's extensions, equal to
/// NLTK 3.8's <c>nltk.stem.porter.PorterStemmer()</c> in its default <c>NLTK_EXTENSIONS</c> mode, which is the stemmer
/// Google's <c>rouge-score</c> uses (checked word by word against NLTK 3.8, see the test data README).
/// </summary>
/// <remarks>
/// NLTK's extensions to the published algorithm: a few irregular forms (<c>skies</c>, <c>dying</c>, <c>news</c>,
/// <c>proceed</c>…), <c>-ies</c>/<c>-ied</c> on four-letter words, <c>y</c> → <c>i</c> only after a consonant that is not
/// the first letter, <c>-alli</c> handled recursively, <c>-fulli</c> and <c>-logi</c> in step 2, <c>-bli</c> → <c>-ble</c>
/// and a two-letter vowel–consonant stem counting as CVC. Words of one or two letters are returned lower-cased.
/// Thread-safe.
/// </remarks>
public static class PorterStemmer
{
    private static readonly Dictionary<string, string> Irregular = new(StringComparer.Ordinal)
    {
        ["sky"] = "sky",
        ["skies"] = "sky",
        ["dying"] = "die",
        ["lying"] = "lie",
        ["tying"] = "tie",
        ["news"] = "news",
        ["innings"] = "inning",
        ["inning"] = "inning",
        ["outings"] = "outing",
        ["outing"] = "outing",
        ["cannings"] = "canning",
        ["canning"] = "canning",
        ["howe"] = "howe",
        ["proceed"] = "proceed",
        ["exceed"] = "exceed",
        ["succeed"] = "succeed",
    };

    private static readonly (string Suffix, string Replacement)[] Step2Rules =
    [
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"), ("bli", "ble"),
        ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"),
        ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"),
        ("iviti", "ive"), ("biliti", "ble"), ("fulli", "ful"),
    ];

    private static readonly (string Suffix, string Replacement)[] Step3Rules =
    [
        ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""),
    ];

    private static readonly string[] Step4Suffixes =
    [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate", "iti",
        "ous", "ive", "ize",
    ];

    /// <summary>Stems one word (lower-casing it first, as NLTK does).</summary>
    /// <param name="word">The word.</param>
    /// <returns>The stem.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="word"/> is <see langword="null"/>.</exception>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        string stem = word.ToLowerInvariant();

        // NLTK looks the irregular forms up by the word as given.
        if (Irregular.TryGetValue(word, out string? irregular))
        {
            return irregular;
        }

        if (word.Length <= 2)
        {
            return stem;
        }

        stem = Step1a(stem);
        stem = Step1b(stem);
        stem = Step1c(stem);
        stem = Step2(stem);
        stem = Step3(stem);
        stem = Step4(stem);
        stem = Step5a(stem);
        stem = Step5b(stem);
        return stem;
    }

    private static bool IsConsonant(ReadOnlySpan<char> word, int i)
    {
        while (true)
        {
            char c = word[i];
            if (c is 'a' or 'e' or 'i' or 'o' or 'u')
            {
                return false;
            }

            if (c != 'y')
            {
                return true;
            }

            if (i == 0)
            {
                return true;
            }

            // y is a consonant exactly when the letter before it is not: walk back through runs of y.
            bool previousIsConsonant = IsConsonant(word, i - 1);
            return !previousIsConsonant;
        }
    }

    // m in [C](VC)^m[V]: the number of vowel-consonant transitions.
    private static int Measure(ReadOnlySpan<char> stem)
    {
        int m = 0;
        bool previousVowel = false;
        for (int i = 0; i < stem.Length; i++)
        {
            bool consonant = IsConsonant(stem, i);
            if (consonant && previousVowel)
            {
                m++;
            }

            previousVowel = !consonant;
        }

        return m;
    }

    private static bool ContainsVowel(ReadOnlySpan<char> stem)
    {
        for (int i = 0; i < stem.Length; i++)
        {
            if (!IsConsonant(stem, i))
            {
                return true;
            }
        }

        return false;
    }

    private static bool EndsDoubleConsonant(ReadOnlySpan<char> word) =>
        word.Length >= 2 && word[^1] == word[^2] && IsConsonant(word, word.Length - 1);

    private static bool EndsCvc(ReadOnlySpan<char> word) =>
        (word.Length >= 3
            && IsConsonant(word, word.Length - 3)
            && !IsConsonant(word, word.Length - 2)
            && IsConsonant(word, word.Length - 1)
            && word[^1] is not ('w' or 'x' or 'y'))
        || (word.Length == 2 && !IsConsonant(word, 0) && IsConsonant(word, 1));

    private static string Step1a(string word)
    {
        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length == 4)
        {
            return word[..^3] + "ie";
        }

        if (word.EndsWith("sses", StringComparison.Ordinal))
        {
            return word[..^4] + "ss";
        }

        if (word.EndsWith("ies", StringComparison.Ordinal))
        {
            return word[..^3] + "i";
        }

        if (word.EndsWith("ss", StringComparison.Ordinal))
        {
            return word;
        }

        if (word.EndsWith('s'))
        {
            return word[..^1];
        }

        return word;
    }

    private static string Step1b(string word)
    {
        if (word.EndsWith("ied", StringComparison.Ordinal))
        {
            return word.Length == 4 ? word[..^3] + "ie" : word[..^3] + "i";
        }

        if (word.EndsWith("eed", StringComparison.Ordinal))
        {
            string s = word[..^3];
            return Measure(s) > 0 ? s + "ee" : word;
        }

        string? intermediate = null;
        if (word.EndsWith("ed", StringComparison.Ordinal) && ContainsVowel(word.AsSpan(0, word.Length - 2)))
        {
            intermediate = word[..^2];
        }
        else if (word.EndsWith("ing", StringComparison.Ordinal) && ContainsVowel(word.AsSpan(0, word.Length - 3)))
        {
            intermediate = word[..^3];
        }

        if (intermediate is null)
        {
            return word;
        }

        if (intermediate.EndsWith("at", StringComparison.Ordinal) || intermediate.EndsWith("bl", StringComparison.Ordinal)
            || intermediate.EndsWith("iz", StringComparison.Ordinal))
        {
            return intermediate + "e";
        }

        if (EndsDoubleConsonant(intermediate))
        {
            return intermediate[^1] is 'l' or 's' or 'z' ? intermediate : intermediate[..^1];
        }

        return Measure(intermediate) == 1 && EndsCvc(intermediate) ? intermediate + "e" : intermediate;
    }

    private static string Step1c(string word)
    {
        if (word.EndsWith('y'))
        {
            ReadOnlySpan<char> s = word.AsSpan(0, word.Length - 1);
            return s.Length > 1 && IsConsonant(s, s.Length - 1) ? string.Concat(s, "i") : word;
        }

        return word;
    }

    private static string Step2(string word)
    {
        if (word.EndsWith("alli", StringComparison.Ordinal) && Measure(word.AsSpan(0, word.Length - 4)) > 0)
        {
            return Step2(word[..^4] + "al");
        }

        foreach ((string suffix, string replacement) in Step2Rules)
        {
            if (word.EndsWith(suffix, StringComparison.Ordinal))
            {
                ReadOnlySpan<char> s = word.AsSpan(0, word.Length - suffix.Length);
                return Measure(s) > 0 ? string.Concat(s, replacement) : word;
            }
        }

        // NLTK: -logi -> -log when the word without its last three letters has a positive measure.
        if (word.EndsWith("logi", StringComparison.Ordinal))
        {
            return Measure(word.AsSpan(0, word.Length - 3)) > 0 ? word[..^4] + "log" : word;
        }

        return word;
    }

    private static string Step3(string word)
    {
        foreach ((string suffix, string replacement) in Step3Rules)
        {
            if (word.EndsWith(suffix, StringComparison.Ordinal))
            {
                ReadOnlySpan<char> s = word.AsSpan(0, word.Length - suffix.Length);
                return Measure(s) > 0 ? string.Concat(s, replacement) : word;
            }
        }

        return word;
    }

    private static string Step4(string word)
    {
        foreach (string suffix in Step4Suffixes)
        {
            if (word.EndsWith(suffix, StringComparison.Ordinal))
            {
                ReadOnlySpan<char> s = word.AsSpan(0, word.Length - suffix.Length);
                bool ok = Measure(s) > 1 && (suffix != "ion" || s[^1] is 's' or 't');
                return ok ? new string(s) : word;
            }
        }

        return word;
    }

    private static string Step5a(string word)
    {
        if (word.EndsWith('e'))
        {
            ReadOnlySpan<char> s = word.AsSpan(0, word.Length - 1);
            int m = Measure(s);
            if (m > 1 || (m == 1 && !EndsCvc(s)))
            {
                return new string(s);
            }
        }

        return word;
    }

    private static string Step5b(string word) =>
        word.EndsWith("ll", StringComparison.Ordinal) && Measure(word.AsSpan(0, word.Length - 1)) > 1 ? word[..^1] : word;
}
