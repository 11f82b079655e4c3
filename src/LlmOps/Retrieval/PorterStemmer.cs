namespace LlmOps.Retrieval;

/// <summary>
/// The Porter stemming algorithm (M. F. Porter, "An algorithm for suffix stripping", Program 14(3), 1980), in the
/// revision that its author publishes as the reference implementation (tartarus.org/martin/PorterStemmer): the paper's
/// rules plus <c>bli → ble</c> and <c>logi → log</c> in step 2. This is the variant behind Lucene's
/// <c>PorterStemFilter</c>, so an index built here stems as Lucene's <c>EnglishAnalyzer</c> does.
/// </summary>
/// <remarks>
/// Works in place on a lower-case buffer and returns the stem's length; words of one or two letters are left alone.
/// Written from the paper's rule tables; step numbers below are the paper's.
/// </remarks>
internal static class PorterStemmer
{
    /// <summary>Stems <paramref name="word"/> in place.</summary>
    /// <returns>The length of the stem, a prefix of the buffer.</returns>
    public static int Stem(Span<char> word)
    {
        if (word.Length <= 2)
        {
            return word.Length;
        }

        var s = new State(word);
        s.Step1ab();
        s.Step1c();
        s.Step2();
        s.Step3();
        s.Step4();
        s.Step5();

        return s.K + 1;
    }

    private ref struct State
    {
        private readonly Span<char> _b;

        // _b[0..K] is the current word; J marks the end of the stem once a suffix has matched.
        public int K;
        private int _j;

        public State(Span<char> buffer)
        {
            _b = buffer;
            K = buffer.Length - 1;
            _j = 0;
        }

        private readonly bool IsConsonant(int i)
        {
            switch (_b[i])
            {
                case 'a':
                case 'e':
                case 'i':
                case 'o':
                case 'u':
                    return false;
                case 'y':
                    return i == 0 || !IsConsonant(i - 1);
                default:
                    return true;
            }
        }

        /// <summary>The measure m of the stem _b[0.._j]: the number of vowel-consonant sequences.</summary>
        private readonly int Measure()
        {
            int n = 0;
            int i = 0;
            while (true)
            {
                if (i > _j)
                {
                    return n;
                }

                if (!IsConsonant(i))
                {
                    break;
                }

                i++;
            }

            i++;
            while (true)
            {
                while (true)
                {
                    if (i > _j)
                    {
                        return n;
                    }

                    if (IsConsonant(i))
                    {
                        break;
                    }

                    i++;
                }

                i++;
                n++;
                while (true)
                {
                    if (i > _j)
                    {
                        return n;
                    }

                    if (!IsConsonant(i))
                    {
                        break;
                    }

                    i++;
                }

                i++;
            }
        }

        private readonly bool VowelInStem()
        {
            for (int i = 0; i <= _j; i++)
            {
                if (!IsConsonant(i))
                {
                    return true;
                }
            }

            return false;
        }

        private readonly bool DoubleConsonant(int j) => j >= 1 && _b[j] == _b[j - 1] && IsConsonant(j);

        /// <summary>True when _b[i-2..i] is consonant-vowel-consonant and the last is not w, x or y (*o in the paper).</summary>
        private readonly bool Cvc(int i)
        {
            if (i < 2 || !IsConsonant(i) || IsConsonant(i - 1) || !IsConsonant(i - 2))
            {
                return false;
            }

            char c = _b[i];
            return c is not ('w' or 'x' or 'y');
        }

        private bool Ends(string suffix)
        {
            int len = suffix.Length;
            if (len > K + 1 || !_b.Slice(K - len + 1, len).SequenceEqual(suffix))
            {
                return false;
            }

            _j = K - len;
            return true;
        }

        private void SetTo(string replacement)
        {
            replacement.AsSpan().CopyTo(_b[(_j + 1)..]);
            K = _j + replacement.Length;
        }

        private void ReplaceIfMeasured(string replacement)
        {
            if (Measure() > 0)
            {
                SetTo(replacement);
            }
        }

        // Step 1a (plurals) and 1b (-ed, -ing).
        public void Step1ab()
        {
            if (_b[K] == 's')
            {
                if (Ends("sses"))
                {
                    K -= 2;
                }
                else if (Ends("ies"))
                {
                    SetTo("i");
                }
                else if (_b[K - 1] != 's')
                {
                    K--;
                }
            }

            if (Ends("eed"))
            {
                if (Measure() > 0)
                {
                    K--;
                }
            }
            else if ((Ends("ed") || Ends("ing")) && VowelInStem())
            {
                K = _j;
                if (Ends("at"))
                {
                    SetTo("ate");
                }
                else if (Ends("bl"))
                {
                    SetTo("ble");
                }
                else if (Ends("iz"))
                {
                    SetTo("ize");
                }
                else if (DoubleConsonant(K))
                {
                    K--;
                    if (_b[K] is 'l' or 's' or 'z')
                    {
                        K++;
                    }
                }
                else
                {
                    _j = K;
                    if (Measure() == 1 && Cvc(K))
                    {
                        SetTo("e");
                    }
                }
            }
        }

        // Step 1c: terminal y to i when the stem has a vowel.
        public void Step1c()
        {
            if (Ends("y") && VowelInStem())
            {
                _b[K] = 'i';
            }
        }

        // Step 2: double suffixes to single ones, for m > 0.
        public void Step2()
        {
            if (K < 1)
            {
                return;
            }

            switch (_b[K - 1])
            {
                case 'a':
                    _ = Try("ational", "ate") || Try("tional", "tion");
                    break;
                case 'c':
                    _ = Try("enci", "ence") || Try("anci", "ance");
                    break;
                case 'e':
                    _ = Try("izer", "ize");
                    break;
                case 'l':
                    _ = Try("bli", "ble") || Try("alli", "al") || Try("entli", "ent") || Try("eli", "e") || Try("ousli", "ous");
                    break;
                case 'o':
                    _ = Try("ization", "ize") || Try("ation", "ate") || Try("ator", "ate");
                    break;
                case 's':
                    _ = Try("alism", "al") || Try("iveness", "ive") || Try("fulness", "ful") || Try("ousness", "ous");
                    break;
                case 't':
                    _ = Try("aliti", "al") || Try("iviti", "ive") || Try("biliti", "ble");
                    break;
                case 'g':
                    _ = Try("logi", "log");
                    break;
            }
        }

        // Step 3: -ic-, -full, -ness etc.
        public void Step3()
        {
            switch (_b[K])
            {
                case 'e':
                    _ = Try("icate", "ic") || Try("ative", string.Empty) || Try("alize", "al");
                    break;
                case 'i':
                    _ = Try("iciti", "ic");
                    break;
                case 'l':
                    _ = Try("ical", "ic") || Try("ful", string.Empty);
                    break;
                case 's':
                    _ = Try("ness", string.Empty);
                    break;
            }
        }

        // Step 4: removes -ant, -ence etc. when m > 1.
        public void Step4()
        {
            if (K < 1)
            {
                return;
            }

            bool matched = _b[K - 1] switch
            {
                'a' => Ends("al"),
                'c' => Ends("ance") || Ends("ence"),
                'e' => Ends("er"),
                'i' => Ends("ic"),
                'l' => Ends("able") || Ends("ible"),
                'n' => Ends("ant") || Ends("ement") || Ends("ment") || Ends("ent"),
                'o' => (Ends("ion") && _j >= 0 && _b[_j] is 's' or 't') || Ends("ou"),
                's' => Ends("ism"),
                't' => Ends("ate") || Ends("iti"),
                'u' => Ends("ous"),
                'v' => Ends("ive"),
                'z' => Ends("ize"),
                _ => false,
            };

            if (matched && Measure() > 1)
            {
                K = _j;
            }
        }

        // Step 5: removes a final -e when m > 1 (or m = 1 and not *o), and -ll to -l when m > 1.
        public void Step5()
        {
            _j = K;
            if (_b[K] == 'e')
            {
                int m = Measure();
                if (m > 1 || (m == 1 && !Cvc(K - 1)))
                {
                    K--;
                }
            }

            if (_b[K] == 'l' && DoubleConsonant(K) && Measure() > 1)
            {
                K--;
            }
        }

        /// <summary>When the word ends with <paramref name="suffix"/>, replaces it (if m &gt; 0) and stops the step.</summary>
        private bool Try(string suffix, string replacement)
        {
            if (!Ends(suffix))
            {
                return false;
            }

            ReplaceIfMeasured(replacement);
            return true;
        }
    }
}
