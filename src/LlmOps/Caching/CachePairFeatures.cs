using System.Runtime.CompilerServices;

namespace LlmOps.Caching;

/// <summary>
/// The features of a (new question, cached question) pair that the pair check (<see cref="CachePairModel"/>) weighs:
/// which words differ and of which class, whether the difference is a spelling variant, whether the shared words keep
/// their order and the roles around "to/from/than/vs/into/per", the embedding similarity, and the lexical guards'
/// verdicts. Computed from two <see cref="SemanticCacheFingerprint"/>s, so no text is needed.
/// </summary>
/// <remarks>Allocation-free: per-pair working space lives on the stack.</remarks>
internal static class CachePairFeatures
{
    /// <summary>The number of word classes (<see cref="CachePairTokenClass"/>).</summary>
    public const int Classes = 14;

    /// <summary>The index of the constant feature (the model's bias).</summary>
    public const int Bias = 0;

    /// <summary>The index of the centred embedding similarity.</summary>
    public const int Similarity = 1;

    /// <summary>The first of <see cref="Classes"/> features: a word of that class is replaced by another of the same class.</summary>
    public const int Substituted = 2;

    /// <summary>The first of <see cref="Classes"/> features: a word of that class is only on one side.</summary>
    public const int OneSided = Substituted + Classes;

    /// <summary>The index of the count of differing words explained as spelling variants (trigram sketches alike).</summary>
    public const int SpellingVariants = OneSided + Classes;

    /// <summary>The index of log(1 + differing content words that no spelling variant explains).</summary>
    public const int UnexplainedContent = SpellingVariants + 1;

    /// <summary>The index of the Jaccard similarity of the two sets of non-function words.</summary>
    public const int ContentJaccard = UnexplainedContent + 1;

    /// <summary>
    /// The index of "two shared words of one class cross over a third in opposite directions" (a role swap:
    /// "did Disney buy Pixar" / "did Pixar buy Disney"), which moving a phrase to the front never does.
    /// </summary>
    public const int CrossSwap = ContentJaccard + 1;

    /// <summary>
    /// The index of "the shared non-function words are reordered by more than one block move" (moving one phrase to the
    /// front or the back, as "In Excel, how do I merge cells?" does, is one block move).
    /// </summary>
    public const int Inversions = CrossSwap + 1;

    /// <summary>The index of "a pivot's object (the word after to/from/than/…) swapped with another shared word".</summary>
    public const int PivotObjectSwap = Inversions + 1;

    /// <summary>The index of "a pivot's subject (the word before it) swapped with another shared word".</summary>
    public const int PivotSubjectSwap = PivotObjectSwap + 1;

    /// <summary>The index of "two shared names, numbers, dates or times appear in the opposite order".</summary>
    public const int NameOrderSwap = PivotSubjectSwap + 1;

    /// <summary>The index of the ratio of the shorter question's word count to the longer's.</summary>
    public const int LengthRatio = NameOrderSwap + 1;

    /// <summary>The first of four features: the polarity, numbers, quoted-strings and entities guards rejected the pair.</summary>
    public const int GuardVerdicts = LengthRatio + 1;

    /// <summary>The index of "only function words differ".</summary>
    public const int OnlyFunctionWordsDiffer = GuardVerdicts + 4;

    /// <summary>The index of "exactly one non-function word replaced by one other" (a minimal pair: "quota per project" / "per account").</summary>
    public const int SingleSubstitution = OnlyFunctionWordsDiffer + 1;

    /// <summary>The index of "one or two non-function words added on one side only, nothing replaced".</summary>
    public const int SmallInsertion = SingleSubstitution + 1;

    /// <summary>The index of "at least two non-function words differ on each side" (a rewrite, as paraphrases are).</summary>
    public const int Rewrite = SmallInsertion + 1;

    /// <summary>The index of "no non-function word differs" (same words, perhaps reordered or respelled).</summary>
    public const int NothingDiffers = Rewrite + 1;

    /// <summary>The index of the centred similarity when nothing but function words differs.</summary>
    public const int SimilarityWhenNothingDiffers = NothingDiffers + 1;

    /// <summary>The index of the centred similarity for a rewrite.</summary>
    public const int SimilarityWhenRewritten = SimilarityWhenNothingDiffers + 1;

    /// <summary>The index of "the shared non-function words are reordered by exactly one block move".</summary>
    public const int BlockMove = SimilarityWhenRewritten + 1;

    /// <summary>
    /// The index of the lowest, over the differing open-class words (content words, names, antonym-table words,
    /// comparatives) of both questions, of the word-vector cosine (<see cref="CacheWordVectors"/>) to the closest differing
    /// open-class word of the other question: high when every differing word has a synonym on the other side; 0 when a
    /// side has none; 1 when no open-class word differs.
    /// </summary>
    public const int MeaningMin = BlockMove + 1;

    /// <summary>The index of the mean of the same closest-partner cosines (1 when no open-class word differs).</summary>
    public const int MeaningMean = MeaningMin + 1;

    /// <summary>The index of the cosine of the sums of the two sides' differing open-class word vectors (0 when a side has none).</summary>
    public const int MeaningBag = MeaningMean + 1;

    /// <summary>The index of the number (at most 3) of differing open-class words that the word-vector table does not know.</summary>
    public const int MeaningUnknown = MeaningBag + 1;

    /// <summary>The index of the cosine of the two words of a <see cref="SingleSubstitution"/> (0 otherwise or when unknown).</summary>
    public const int MeaningSubstitution = MeaningUnknown + 1;

    /// <summary>
    /// The index of log(1 + differing open-class words left after pairing the differing words one to one by
    /// word-vector cosine of at least <see cref="SynonymCosine"/>, closest first).
    /// </summary>
    public const int MeaningLeft = MeaningSubstitution + 1;

    /// <summary>The index of "open-class words differ on both sides and the cosine pairing leaves none".</summary>
    public const int MeaningAllPaired = MeaningLeft + 1;

    /// <summary>The index of <see cref="MeaningMin"/> when the pair is a <see cref="Rewrite"/> (0 otherwise).</summary>
    public const int MeaningMinWhenRewritten = MeaningAllPaired + 1;

    /// <summary>The index of <see cref="MeaningMean"/> when the pair is a <see cref="Rewrite"/> (0 otherwise).</summary>
    public const int MeaningMeanWhenRewritten = MeaningMinWhenRewritten + 1;

    /// <summary>
    /// The index of how much the words only one side adds read as courtesy rather than content: the mean, over the
    /// differing open-class words that the cosine pairing leaves without a partner, of their cosine to the centroid of
    /// the greeting and courtesy words ("hi", "hello", "please", "thanks"…); 0 when none is left.
    /// </summary>
    public const int MeaningCourtesy = MeaningMeanWhenRewritten + 1;

    /// <summary>
    /// The index of "exactly one pair of shared non-function words is in the opposite order" (two neighbouring words
    /// swapped: "5 miles in km" / "5 km in miles"), which a phrase moved to the front or back rarely is.
    /// </summary>
    public const int AdjacentSwap = MeaningCourtesy + 1;

    /// <summary>The index of the number of shared non-function words (aligned, spelling variants included), at most 8.</summary>
    public const int SharedWords = AdjacentSwap + 1;

    /// <summary>
    /// The index of "a name is aligned with a word of the other question as a weak spelling variant": not most of its
    /// trigrams alike, nor one typo apart with six letters or more ("Iran"/"Iraq", "Austria"/"Australia" are other names;
    /// "Chicgao"/"Chicago", "Cananda"/"Canada" are typos).
    /// </summary>
    public const int WeakNameVariant = SharedWords + 1;

    /// <summary>
    /// The index of "the only non-function words that differ are question words, all in one question, and the other has
    /// none": a question and the same request as a command or keywords ("What's the return policy for furniture?" /
    /// "Tell me the return policy for furniture.").
    /// </summary>
    public const int QuestionFrameOnly = WeakNameVariant + 1;

    /// <summary>
    /// The index of the number (at most 3) of differing open-class words aligned one to one as WordNet synonyms or
    /// derived forms (<see cref="CacheWordRelations"/>: "biggest"/"largest", "repair"/"fix", "delete"/"deletion"); aligned
    /// words count as shared for every other feature, so a question whose words all line up through synonyms reads as one
    /// with the same words.
    /// </summary>
    public const int WordNetSynonyms = QuestionFrameOnly + 1;

    /// <summary>The index of "a differing word is a WordNet antonym of one on the other side" (direct, or through an adjective cluster).</summary>
    public const int WordNetAntonym = WordNetSynonyms + 1;

    /// <summary>The index of "two differing words are adjectives of one WordNet cluster" ("huge"/"large").</summary>
    public const int WordNetSimilar = WordNetAntonym + 1;

    /// <summary>The index of "two differing words share a WordNet hypernym one or two levels up" (siblings: "wasp"/"bee").</summary>
    public const int WordNetCoHyponym = WordNetSimilar + 1;

    /// <summary>The index of "a differing word is a WordNet hypernym of one on the other side" ("dog"/"animal").</summary>
    public const int WordNetHypernym = WordNetCoHyponym + 1;

    /// <summary>
    /// The index of "the shared non-function words are reordered by one block move that is not a rotation": a phrase
    /// moved into the middle of the question rather than from one end to the other ("can my manager see my calendar" /
    /// "can I see my manager's calendar"), as a role swap does and moving a topic to the front does not.
    /// </summary>
    public const int InteriorMove = WordNetHypernym + 1;

    /// <summary>
    /// The index of "two shared words of one class swap sides around a shared function word" (any preposition, not only
    /// the pivots: "a type O donor for a type A patient" / "a type A donor for a type O patient").
    /// </summary>
    public const int FunctionAnchorSwap = InteriorMove + 1;

    /// <summary>The number of features.</summary>
    public const int Count = FunctionAnchorSwap + 1;

    private static readonly ulong[] SymmetricPivots = Array.ConvertAll(CachePairTokenizer.Tokenize("vs versus between").Tokens, CachePairTokenizer.StemOf);

    /// <summary>The word-vector cosine from which two differing words pair up as synonyms for <see cref="MeaningLeft"/>.</summary>
    public const float SynonymCosine = 0.5f;

    /// <summary>The most differing open-class words per question that the word-vector features read.</summary>
    private const int MaxMeaningWords = 24;

    /// <summary>The sketch similarity from which two differing words count as spelling variants of one word.</summary>
    public const float SpellingVariantSimilarity = 0.6f;

    /// <summary>The similarity the embedding feature is centred on.</summary>
    private const float SimilarityCentre = 0.85f;

    /// <summary>Computes the features of a pair into <paramref name="features"/> (length <see cref="Count"/>).</summary>
    /// <param name="a">One question's fingerprint.</param>
    /// <param name="b">The other question's fingerprint.</param>
    /// <param name="similarity">The cosine similarity of the two questions' embeddings.</param>
    /// <param name="features">Receives the features.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(SemanticCacheFingerprint a, SemanticCacheFingerprint b, float similarity, Span<float> features)
    {
        if (features.Length != Count)
        {
            throw new ArgumentException($"The pair features need a span of {Count} values.", nameof(features));
        }

        features.Clear();
        features[Bias] = 1f;
        features[Similarity] = (similarity - SimilarityCentre) * 10f;

        var ta = AsSpan(a.Sequence);
        var tb = AsSpan(b.Sequence);
        var sa = AsSpan(a.Sketches);
        var sb = AsSpan(b.Sketches);
        int n = ta.Length, m = tb.Length;
        Span<int> matchA = stackalloc int[n];
        Span<int> matchB = stackalloc int[m];
        matchA.Fill(-1);
        matchB.Fill(-1);

        // Same stem, first free partner (left to right): the alignment of the shared words. A function word never pairs
        // with a name or content word of the same spelling (the article "a" with "type A", "us" with "US").
        for (var i = 0; i < n; i++)
        {
            var stem = CachePairTokenizer.StemOf(ta[i]);
            var function = CachePairTokenizer.ClassOf(ta[i]) == CachePairTokenClass.Function;
            for (var j = 0; j < m; j++)
            {
                if (matchB[j] < 0 && CachePairTokenizer.StemOf(tb[j]) == stem && (CachePairTokenizer.ClassOf(tb[j]) == CachePairTokenClass.Function) == function)
                {
                    matchA[i] = j;
                    matchB[j] = i;
                    break;
                }
            }
        }

        // Spelling variants, typos and abbreviations: a differing content word or name that is another spelling of
        // one on the other side ("pasword"/"password", "lapotp"/"laptop", "approx"/"approximately"), then acronyms
        // ("NYC"/"New York City").
        var variants = 0;
        for (var i = 0; i < n; i++)
        {
            if (matchA[i] >= 0 || !IsOpenClass(ta[i]))
            {
                continue;
            }

            var best = -1;
            var bestSimilarity = 0f;
            for (var j = 0; j < m; j++)
            {
                if (matchB[j] < 0 && IsOpenClass(tb[j]) && VariantSimilarity(ta[i], sa[2 * i], sa[(2 * i) + 1], sb[2 * j], sb[(2 * j) + 1]) is var s && s > bestSimilarity)
                {
                    bestSimilarity = s;
                    best = j;
                }
            }

            if (best >= 0)
            {
                matchA[i] = best;
                matchB[best] = i;
                variants++;
                if ((CachePairTokenizer.ClassOf(ta[i]) == CachePairTokenClass.Entity || CachePairTokenizer.ClassOf(tb[best]) == CachePairTokenClass.Entity)
                    && !IsStrongNameVariant(bestSimilarity, sa[(2 * i) + 1], sb[(2 * best) + 1]))
                {
                    features[WeakNameVariant] = 1f;
                }
            }
        }

        variants += Acronyms(ta, sa, tb, sb, matchA, matchB) + Acronyms(tb, sb, ta, sa, matchB, matchA);
        features[SpellingVariants] = Math.Min(variants, 3);

        // The synonym alignment and the relation features read the same pairs of still-differing words: each pair's
        // relation is computed once.
        var indexesA = a.PairIndexes;
        var indexesB = b.PairIndexes;
        Span<int> slotA = stackalloc int[n];
        Span<int> slotB = stackalloc int[m];
        var rows = MemoSlots(ta, indexesA.Relations, matchA, slotA);
        var columns = MemoSlots(tb, indexesB.Relations, matchB, slotB);
        Span<byte> memo = stackalloc byte[rows * columns];
        memo.Fill(RelationMemo.Unknown);
        var relations = new RelationMemo(CacheWordRelations.Default, indexesA.Relations, indexesB.Relations, slotA, slotB, memo, columns);
        features[WordNetSynonyms] = Math.Min(Synonyms(ta, tb, indexesA.Relations, indexesB.Relations, matchA, matchB, ref relations), 3);

        // What differs, by class, on each side.
        Span<int> onlyA = stackalloc int[Classes];
        Span<int> onlyB = stackalloc int[Classes];
        onlyA.Clear();
        onlyB.Clear();
        var nonFunctionA = 0;
        var nonFunctionB = 0;
        for (var i = 0; i < n; i++)
        {
            if (CachePairTokenizer.ClassOf(ta[i]) != CachePairTokenClass.Function)
            {
                nonFunctionA++;
            }

            if (matchA[i] < 0)
            {
                onlyA[(int)CachePairTokenizer.ClassOf(ta[i]) % Classes]++;
            }
        }

        for (var j = 0; j < m; j++)
        {
            if (CachePairTokenizer.ClassOf(tb[j]) != CachePairTokenClass.Function)
            {
                nonFunctionB++;
            }

            if (matchB[j] < 0)
            {
                onlyB[(int)CachePairTokenizer.ClassOf(tb[j]) % Classes]++;
            }
        }

        var differing = 0;
        var nonFunctionDiffering = 0;
        for (var c = 0; c < Classes; c++)
        {
            if (onlyA[c] > 0 && onlyB[c] > 0)
            {
                features[Substituted + c] = 1f;
            }

            if (onlyA[c] != onlyB[c])
            {
                features[OneSided + c] = 1f;
            }

            differing += onlyA[c] + onlyB[c];
            if (c != (int)CachePairTokenClass.Function)
            {
                nonFunctionDiffering += onlyA[c] + onlyB[c];
            }
        }

        var nonFunctionOnlyA = 0;
        var nonFunctionOnlyB = 0;
        for (var c = 1; c < Classes; c++)
        {
            nonFunctionOnlyA += onlyA[c];
            nonFunctionOnlyB += onlyB[c];
        }

        features[SingleSubstitution] = nonFunctionOnlyA == 1 && nonFunctionOnlyB == 1 ? 1f : 0f;
        features[SmallInsertion] = Math.Min(nonFunctionOnlyA, nonFunctionOnlyB) == 0 && Math.Max(nonFunctionOnlyA, nonFunctionOnlyB) is 1 or 2 ? 1f : 0f;
        features[Rewrite] = Math.Min(nonFunctionOnlyA, nonFunctionOnlyB) >= 2 ? 1f : 0f;
        features[NothingDiffers] = nonFunctionOnlyA + nonFunctionOnlyB == 0 ? 1f : 0f;
        var questionA = onlyA[(int)CachePairTokenClass.Question];
        var questionB = onlyB[(int)CachePairTokenClass.Question];
        features[QuestionFrameOnly] = (questionA > 0 && questionB == 0 && nonFunctionOnlyA == questionA && nonFunctionOnlyB == 0 && !HasClass(tb, CachePairTokenClass.Question))
            || (questionB > 0 && questionA == 0 && nonFunctionOnlyB == questionB && nonFunctionOnlyA == 0 && !HasClass(ta, CachePairTokenClass.Question)) ? 1f : 0f;
        features[SimilarityWhenNothingDiffers] = features[NothingDiffers] * features[Similarity];
        features[SimilarityWhenRewritten] = features[Rewrite] * features[Similarity];

        var content = onlyA[(int)CachePairTokenClass.Content] + onlyB[(int)CachePairTokenClass.Content];
        features[UnexplainedContent] = MathF.Log(1f + content);
        features[OnlyFunctionWordsDiffer] = differing > 0 && nonFunctionDiffering == 0 ? 1f : 0f;

        // Shared non-function words (aligned, including spelling variants): how many, and in which order.
        var sharedNonFunction = 0;
        var pairs = 0;
        var inverted = 0;
        var nameSwap = false;
        for (var i = 0; i < n; i++)
        {
            if (matchA[i] < 0 || CachePairTokenizer.ClassOf(ta[i]) == CachePairTokenClass.Function)
            {
                continue;
            }

            sharedNonFunction++;
            if (CachePairTokenizer.ClassOf(ta[i]) == CachePairTokenClass.Negation)
            {
                // Where a shared "not" stands is syntax, not meaning: "why didn't my bread rise" / "why did my bread not
                // rise" (the polarity guard compares how many there are).
                continue;
            }

            var nameI = IsNameLike(ta[i]);
            for (var k = i + 1; k < n; k++)
            {
                if (matchA[k] < 0 || CachePairTokenizer.ClassOf(ta[k]) is CachePairTokenClass.Function or CachePairTokenClass.Negation)
                {
                    continue;
                }

                pairs++;
                if (matchA[k] < matchA[i])
                {
                    inverted++;
                    nameSwap |= nameI && IsNameLike(ta[k]);
                }
            }
        }

        var union = nonFunctionA + nonFunctionB - sharedNonFunction;
        features[ContentJaccard] = union <= 0 ? 1f : (float)sharedNonFunction / union;
        features[SharedWords] = Math.Min(sharedNonFunction, 8);
        features[CrossSwap] = inverted > 0 && HasCrossSwap(ta, matchA, functionAnchors: false) ? 1f : 0f;
        features[FunctionAnchorSwap] = inverted > 0 && HasCrossSwap(ta, matchA, functionAnchors: true) ? 1f : 0f;
        if (inverted > 0)
        {
            var (breakpoints, rotation) = Breakpoints(ta, matchA);
            var moves = breakpoints <= 3;
            features[BlockMove] = moves ? 1f : 0f;
            features[Inversions] = moves ? 0f : 1f;
            features[InteriorMove] = moves && !rotation ? 1f : 0f;
        }
        features[NameOrderSwap] = nameSwap ? 1f : 0f;
        features[AdjacentSwap] = inverted == 1 ? 1f : 0f;
        var (objectSwap, subjectSwap) = PivotSwaps(ta, tb, matchA, matchB);
        features[PivotObjectSwap] = objectSwap ? 1f : 0f;
        features[PivotSubjectSwap] = subjectSwap ? 1f : 0f;
        features[LengthRatio] = Math.Max(n, m) == 0 ? 1f : (float)Math.Min(n, m) / Math.Max(n, m);

        Meaning(ta, tb, indexesA.Vectors, indexesB.Vectors, matchA, matchB, features);
        Relations(ta, tb, indexesA.Relations, indexesB.Relations, matchA, matchB, ref relations, features);

        features[GuardVerdicts] = a.Compare(b, SemanticCacheGuards.Polarity) != SemanticCacheGuards.None ? 1f : 0f;
        features[GuardVerdicts + 1] = a.Compare(b, SemanticCacheGuards.Numbers) != SemanticCacheGuards.None ? 1f : 0f;
        features[GuardVerdicts + 2] = a.Compare(b, SemanticCacheGuards.QuotedStrings) != SemanticCacheGuards.None ? 1f : 0f;
        features[GuardVerdicts + 3] = a.Compare(b, SemanticCacheGuards.Entities) != SemanticCacheGuards.None ? 1f : 0f;
    }

    /// <summary>The word-vector features (<see cref="MeaningMin"/> to <see cref="MeaningAllPaired"/>) of the differing open-class words.</summary>
    private static void Meaning(ReadOnlySpan<ulong> ta, ReadOnlySpan<ulong> tb, ReadOnlySpan<int> vectorsA, ReadOnlySpan<int> vectorsB, ReadOnlySpan<int> matchA, ReadOnlySpan<int> matchB, Span<float> features)
    {
        var table = CacheWordVectors.Default;
        Span<int> wordsA = stackalloc int[MaxMeaningWords];
        Span<int> wordsB = stackalloc int[MaxMeaningWords];
        int na = 0, nb = 0, unknown = 0;
        for (var i = 0; i < ta.Length && na < MaxMeaningWords; i++)
        {
            if (matchA[i] < 0 && IsMeaningClass(ta[i]))
            {
                var index = vectorsA[i];
                unknown += index < 0 ? 1 : 0;
                wordsA[na++] = index;
            }
        }

        for (var j = 0; j < tb.Length && nb < MaxMeaningWords; j++)
        {
            if (matchB[j] < 0 && IsMeaningClass(tb[j]))
            {
                var index = vectorsB[j];
                unknown += index < 0 ? 1 : 0;
                wordsB[nb++] = index;
            }
        }

        features[MeaningUnknown] = Math.Min(unknown, 3);
        if (na + nb == 0)
        {
            features[MeaningMin] = 1f;
            features[MeaningMean] = 1f;
            return;
        }

        // Cosines of every known pair (unknown words pair with nothing).
        Span<float> cosines = stackalloc float[MaxMeaningWords * MaxMeaningWords];
        for (var i = 0; i < na; i++)
        {
            for (var j = 0; j < nb; j++)
            {
                cosines[(i * nb) + j] = wordsA[i] >= 0 && wordsB[j] >= 0 ? table.Cosine(wordsA[i], wordsB[j]) : 0f;
            }
        }

        // Each word's closest partner on the other side.
        var min = 1f;
        var sum = 0f;
        for (var i = 0; i < na; i++)
        {
            var best = 0f;
            for (var j = 0; j < nb; j++)
            {
                best = Math.Max(best, cosines[(i * nb) + j]);
            }

            min = Math.Min(min, best);
            sum += best;
        }

        for (var j = 0; j < nb; j++)
        {
            var best = 0f;
            for (var i = 0; i < na; i++)
            {
                best = Math.Max(best, cosines[(i * nb) + j]);
            }

            min = Math.Min(min, best);
            sum += best;
        }

        features[MeaningMin] = min;
        features[MeaningMean] = sum / (na + nb);
        if (features[SingleSubstitution] == 1f && na == 1 && nb == 1)
        {
            features[MeaningSubstitution] = cosines[0];
        }

        // The two sides' differing words as bags.
        if (na > 0 && nb > 0)
        {
            Span<float> bagA = stackalloc float[table.Dimensions];
            Span<float> bagB = stackalloc float[table.Dimensions];
            bagA.Clear();
            bagB.Clear();
            for (var i = 0; i < na; i++)
            {
                if (wordsA[i] >= 0)
                {
                    table.AddUnitVector(wordsA[i], bagA);
                }
            }

            for (var j = 0; j < nb; j++)
            {
                if (wordsB[j] >= 0)
                {
                    table.AddUnitVector(wordsB[j], bagB);
                }
            }

            features[MeaningBag] = CacheWordVectors.Cosine(bagA, bagB);
        }

        // Pair synonyms one to one, closest first; count what is left.
        Span<bool> pairedA = stackalloc bool[na];
        Span<bool> pairedB = stackalloc bool[nb];
        pairedA.Clear();
        pairedB.Clear();
        var paired = 0;
        while (true)
        {
            var bestI = -1;
            var bestJ = -1;
            var best = SynonymCosine;
            for (var i = 0; i < na; i++)
            {
                if (pairedA[i])
                {
                    continue;
                }

                for (var j = 0; j < nb; j++)
                {
                    if (!pairedB[j] && cosines[(i * nb) + j] >= best)
                    {
                        best = cosines[(i * nb) + j];
                        bestI = i;
                        bestJ = j;
                    }
                }
            }

            if (bestI < 0)
            {
                break;
            }

            pairedA[bestI] = true;
            pairedB[bestJ] = true;
            paired++;
        }

        var left = na + nb - (2 * paired);
        features[MeaningLeft] = MathF.Log(1f + left);
        features[MeaningAllPaired] = na > 0 && nb > 0 && left == 0 ? 1f : 0f;
        features[MeaningMinWhenRewritten] = features[Rewrite] * features[MeaningMin];
        features[MeaningMeanWhenRewritten] = features[Rewrite] * features[MeaningMean];

        var courtesy = 0f;
        var unpaired = 0;
        for (var i = 0; i < na; i++)
        {
            if (!pairedA[i])
            {
                courtesy += wordsA[i] >= 0 ? table.CourtesyCosine(wordsA[i]) : 0f;
                unpaired++;
            }
        }

        for (var j = 0; j < nb; j++)
        {
            if (!pairedB[j])
            {
                courtesy += wordsB[j] >= 0 ? table.CourtesyCosine(wordsB[j]) : 0f;
                unpaired++;
            }
        }

        features[MeaningCourtesy] = unpaired == 0 ? 0f : courtesy / unpaired;
    }

    /// <summary>Words that may align as synonyms: not names, which the entities guard compares ("Europe"/"EU" are WordNet synonyms).</summary>
    private static bool IsSynonymClass(ulong token)
        => CachePairTokenizer.ClassOf(token) is CachePairTokenClass.Content or CachePairTokenClass.Polar or CachePairTokenClass.Comparative;

    /// <summary>Whether the word-vector and relation features read a word (content words, names, antonym-table words, comparatives).</summary>
    /// <param name="token">A token of <see cref="CachePairTokenizer"/>.</param>
    /// <returns><see langword="true"/> for an open-class word.</returns>
    internal static bool IsMeaningClass(ulong token)
        => CachePairTokenizer.ClassOf(token) is CachePairTokenClass.Content or CachePairTokenClass.Entity or CachePairTokenClass.Polar or CachePairTokenClass.Comparative;

    /// <summary>
    /// Whether some shared word k has a shared word x before it in one question and after it in the other, and a shared
    /// word y of x's class group after it in one and before it in the other: x and y swap sides around k.
    /// </summary>
    /// <param name="ta">One question's tokens.</param>
    /// <param name="matchA">Their partners in the other question (-1 for none).</param>
    /// <param name="functionAnchors">Whether k is a function word (otherwise any other shared word).</param>
    private static bool HasCrossSwap(ReadOnlySpan<ulong> ta, ReadOnlySpan<int> matchA, bool functionAnchors)
    {
        for (var k = 0; k < ta.Length; k++)
        {
            var anchorClass = CachePairTokenizer.ClassOf(ta[k]);
            if (matchA[k] < 0 || (anchorClass == CachePairTokenClass.Function) != functionAnchors)
            {
                continue;
            }

            for (var x = 0; x < k; x++)
            {
                if (matchA[x] < 0 || matchA[x] < matchA[k] || CachePairTokenizer.ClassOf(ta[x]) == CachePairTokenClass.Function)
                {
                    continue;
                }

                var group = Group(ta[x]);
                for (var y = k + 1; y < ta.Length; y++)
                {
                    if (matchA[y] >= 0 && matchA[y] < matchA[k] && Group(ta[y]) == group && CachePairTokenizer.ClassOf(ta[y]) != CachePairTokenClass.Function)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The breakpoints of the shared non-function words' order: places where the next shared word of one question is not
    /// the next of the other, counting both ends. One block move makes at most three. A rotation (the words from one end
    /// moved to the other end, as putting the topic first does) is one block move with the break at the ends.
    /// </summary>
    private static (int Breakpoints, bool Rotation) Breakpoints(ReadOnlySpan<ulong> ta, ReadOnlySpan<int> matchA)
    {
        Span<int> order = stackalloc int[ta.Length];
        var count = 0;
        for (var i = 0; i < ta.Length; i++)
        {
            if (matchA[i] >= 0 && CachePairTokenizer.ClassOf(ta[i]) is not (CachePairTokenClass.Function or CachePairTokenClass.Negation))
            {
                order[count++] = matchA[i];
            }
        }

        // Ranks of the partners' positions: the permutation that takes one order to the other.
        Span<int> rank = stackalloc int[count];
        for (var i = 0; i < count; i++)
        {
            var r = 0;
            for (var k = 0; k < count; k++)
            {
                r += order[k] < order[i] ? 1 : 0;
            }

            rank[i] = r;
        }

        var breakpoints = 0;
        var previous = -1;
        var rotation = true;
        for (var i = 0; i < count; i++)
        {
            breakpoints += rank[i] != previous + 1 ? 1 : 0;
            rotation &= i == 0 || rank[i] == previous + 1 || (rank[i] == 0 && previous == count - 1);
            previous = rank[i];
        }

        return (breakpoints + (previous != count - 1 ? 1 : 0), rotation);
    }

    /// <summary>
    /// Aligns differing open-class words one to one with a WordNet synonym or derived form on the other side (left to
    /// right, first free partner); returns how many it aligned.
    /// </summary>
    private static int Synonyms(ReadOnlySpan<ulong> ta, ReadOnlySpan<ulong> tb, ReadOnlySpan<int> relationsA, ReadOnlySpan<int> relationsB, Span<int> matchA, Span<int> matchB, ref RelationMemo memo)
    {
        Span<bool> candidateB = stackalloc bool[tb.Length];
        var any = false;
        for (var j = 0; j < tb.Length; j++)
        {
            candidateB[j] = matchB[j] < 0 && IsSynonymClass(tb[j]) && relationsB[j] >= 0;
            any |= candidateB[j];
        }

        if (!any)
        {
            return 0;
        }

        var aligned = 0;
        for (var i = 0; i < ta.Length; i++)
        {
            if (matchA[i] >= 0 || !IsSynonymClass(ta[i]) || relationsA[i] < 0)
            {
                continue;
            }

            for (var j = 0; j < tb.Length; j++)
            {
                if (matchB[j] < 0 && candidateB[j] && AreSynonyms(memo.Relate(i, j)))
                {
                    matchA[i] = j;
                    matchB[j] = i;
                    aligned++;
                    break;
                }
            }
        }

        return aligned;
    }

    /// <summary>
    /// Synonyms, or a derived form that is no sibling (a stem hash can stand for several words, and "employer"/"employee"
    /// derive from one verb); never antonyms.
    /// </summary>
    private static bool AreSynonyms(CacheWordRelation relation)
        => (relation & CacheWordRelation.Antonym) == 0
            && ((relation & CacheWordRelation.Synonym) != 0 || (relation & (CacheWordRelation.Derived | CacheWordRelation.CoHyponym)) == CacheWordRelation.Derived);

    /// <summary>The WordNet relation features (<see cref="WordNetAntonym"/> to <see cref="WordNetHypernym"/>) of the words still differing.</summary>
    private static void Relations(ReadOnlySpan<ulong> ta, ReadOnlySpan<ulong> tb, ReadOnlySpan<int> relationsA, ReadOnlySpan<int> relationsB, ReadOnlySpan<int> matchA, ReadOnlySpan<int> matchB, ref RelationMemo memo, Span<float> features)
    {
        Span<int> wordsB = stackalloc int[Math.Min(tb.Length, MaxMeaningWords)];
        var nb = 0;
        for (var j = 0; j < tb.Length && nb < wordsB.Length; j++)
        {
            if (matchB[j] < 0 && IsMeaningClass(tb[j]) && relationsB[j] >= 0)
            {
                wordsB[nb++] = j;
            }
        }

        if (nb == 0)
        {
            return;
        }

        var relations = CacheWordRelation.None;
        var na = 0;
        for (var i = 0; i < ta.Length && na < MaxMeaningWords; i++)
        {
            if (matchA[i] >= 0 || !IsMeaningClass(ta[i]) || relationsA[i] < 0)
            {
                continue;
            }

            na++;
            for (var j = 0; j < nb; j++)
            {
                relations |= memo.Relate(i, wordsB[j]);
            }
        }

        features[WordNetAntonym] = (relations & CacheWordRelation.Antonym) != 0 ? 1f : 0f;
        features[WordNetSimilar] = (relations & CacheWordRelation.Similar) != 0 ? 1f : 0f;
        features[WordNetCoHyponym] = (relations & CacheWordRelation.CoHyponym) != 0 ? 1f : 0f;
        features[WordNetHypernym] = (relations & CacheWordRelation.Hypernym) != 0 ? 1f : 0f;
    }

    /// <summary>
    /// Gives each still-differing open-class word in the relation table a row (or column) of the relation memo, up to
    /// <see cref="RelationMemo.MaxWords"/>; the others get -1 and are related without the memo. Returns how many it gave.
    /// </summary>
    private static int MemoSlots(ReadOnlySpan<ulong> tokens, ReadOnlySpan<int> relations, ReadOnlySpan<int> match, Span<int> slots)
    {
        var count = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            slots[i] = count < RelationMemo.MaxWords && match[i] < 0 && relations[i] >= 0 && IsMeaningClass(tokens[i]) ? count++ : -1;
        }

        return count;
    }

    /// <summary>Names, numbers, dates and times form one group; every other class is its own.</summary>
    private static int Group(ulong token) => IsNameLike(token) ? -1 : (int)CachePairTokenizer.ClassOf(token);

    /// <summary>
    /// For each pivot word ("to", "from", "than", …) that both questions use, compares the non-function words right
    /// after it (its object) and right before it (its subject): a swap is when they differ but each occurs in the other
    /// question ("from Rome to Milan" / "from Milan to Rome", "is Go safer than C" / "is C safer than Go").
    /// </summary>
    private static (bool Object, bool Subject) PivotSwaps(ReadOnlySpan<ulong> ta, ReadOnlySpan<ulong> tb, ReadOnlySpan<int> matchA, ReadOnlySpan<int> matchB)
    {
        bool objectSwap = false, subjectSwap = false;
        for (var i = 0; i < ta.Length; i++)
        {
            var j = matchA[i];
            if (j < 0 || CachePairTokenizer.ClassOf(ta[i]) != CachePairTokenClass.Pivot || IsSymmetricPivot(ta[i]))
            {
                continue;
            }

            var nextA = Neighbour(ta, i, +1);
            var nextB = Neighbour(tb, j, +1);
            objectSwap |= nextA >= 0 && nextB >= 0 && matchA[nextA] != nextB && matchA[nextA] >= 0 && matchB[nextB] >= 0;
            var previousA = Neighbour(ta, i, -1);
            var previousB = Neighbour(tb, j, -1);
            subjectSwap |= previousA >= 0 && previousB >= 0 && matchA[previousA] != previousB && matchA[previousA] >= 0 && matchB[previousB] >= 0;
        }

        return (objectSwap, subjectSwap);
    }

    /// <summary>
    /// How surely two differing words are one word spelled two ways: 0 when they are not; otherwise a score in (0, 1].
    /// Variants are words whose trigram sets mostly match, words within one typo (two for long words) of each other by
    /// their first eight letters, and a short word that opens a longer one (an abbreviation).
    /// </summary>
    private static float VariantSimilarity(ulong token, ulong trigramsA, ulong shapeA, ulong trigramsB, ulong shapeB)
    {
        // A typo rarely changes the first letter, and a word behind a negating prefix (mute/unmute, mutable/immutable)
        // or another first half (upstairs/downstairs) is another word.
        if (CachePairTokenizer.ShapeLetter(shapeA, 0) != CachePairTokenizer.ShapeLetter(shapeB, 0))
        {
            return 0f;
        }

        var trigrams = CachePairTokenizer.SketchSimilarity(trigramsA, trigramsB);
        if (trigrams >= SpellingVariantSimilarity)
        {
            return trigrams;
        }

        int la = CachePairTokenizer.ShapeLength(shapeA), lb = CachePairTokenizer.ShapeLength(shapeB);
        var shorter = Math.Min(la, lb);
        var longer = Math.Max(la, lb);
        if (shorter >= 4 && longer - shorter <= 2)
        {
            var distance = TypoDistance(shapeA, Math.Min(la, 8), shapeB, Math.Min(lb, 8));
            if (distance <= (longer <= 8 ? 1 : 2))
            {
                return 0.5f - (0.1f * distance);
            }
        }

        // An abbreviation of a common word ("approx", "temp", "arr"); a shorter name is another name (Niger, Nigeria).
        if (CachePairTokenizer.ClassOf(token) == CachePairTokenClass.Content && shorter is >= 2 and <= 6 && longer >= shorter + 2)
        {
            for (var k = 0; k < shorter; k++)
            {
                if (CachePairTokenizer.ShapeLetter(shapeA, k) != CachePairTokenizer.ShapeLetter(shapeB, k))
                {
                    return 0f;
                }
            }

            return 0.2f;
        }

        return 0f;
    }

    /// <summary>Whether a spelling variant that involves a name is surely a misspelling (see <see cref="WeakNameVariant"/>).</summary>
    private static bool IsStrongNameVariant(float variantSimilarity, ulong shapeA, ulong shapeB)
        => variantSimilarity >= SpellingVariantSimilarity
            || (variantSimilarity >= 0.4f && Math.Max(CachePairTokenizer.ShapeLength(shapeA), CachePairTokenizer.ShapeLength(shapeB)) >= 6);

    /// <summary>The optimal-string-alignment distance (edits and adjacent transpositions) of two shapes' first letters.</summary>
    private static int TypoDistance(ulong a, int la, ulong b, int lb)
    {
        Span<int> d = stackalloc int[81];
        var w = lb + 1;
        for (var i = 0; i <= la; i++)
        {
            d[i * w] = i;
        }

        for (var j = 0; j <= lb; j++)
        {
            d[j] = j;
        }

        for (var i = 1; i <= la; i++)
        {
            var ca = CachePairTokenizer.ShapeLetter(a, i - 1);
            for (var j = 1; j <= lb; j++)
            {
                var cb = CachePairTokenizer.ShapeLetter(b, j - 1);
                var cost = ca == cb ? 0 : 1;
                var v = Math.Min(Math.Min(d[((i - 1) * w) + j] + 1, d[(i * w) + j - 1] + 1), d[((i - 1) * w) + j - 1] + cost);
                if (i > 1 && j > 1 && ca == CachePairTokenizer.ShapeLetter(b, j - 2) && CachePairTokenizer.ShapeLetter(a, i - 2) == cb)
                {
                    v = Math.Min(v, d[((i - 2) * w) + j - 2] + 1);
                }

                d[(i * w) + j] = v;
            }
        }

        return d[(la * w) + lb];
    }

    /// <summary>
    /// Aligns each differing name of 2–5 letters in <paramref name="acronyms"/> with a run of as many differing words in
    /// <paramref name="words"/> whose first letters spell it ("PTO" / "paid time off"); returns how many it aligned.
    /// </summary>
    private static int Acronyms(ReadOnlySpan<ulong> acronyms, ReadOnlySpan<ulong> acronymSketches, ReadOnlySpan<ulong> words, ReadOnlySpan<ulong> wordSketches, Span<int> acronymMatch, Span<int> wordMatch)
    {
        var found = 0;
        for (var i = 0; i < acronyms.Length; i++)
        {
            var shape = acronymSketches[(2 * i) + 1];
            var length = CachePairTokenizer.ShapeLength(shape);
            if (acronymMatch[i] >= 0 || CachePairTokenizer.ClassOf(acronyms[i]) != CachePairTokenClass.Entity || length is < 2 or > 5)
            {
                continue;
            }

            for (var start = 0; start + length <= words.Length; start++)
            {
                var k = 0;
                while (k < length && wordMatch[start + k] < 0
                    && CachePairTokenizer.ShapeLetter(wordSketches[(2 * (start + k)) + 1], 0) == CachePairTokenizer.ShapeLetter(shape, k))
                {
                    k++;
                }

                if (k == length)
                {
                    acronymMatch[i] = start;
                    for (k = 0; k < length; k++)
                    {
                        wordMatch[start + k] = i;
                    }

                    found++;
                    break;
                }
            }
        }

        return found;
    }

    /// <summary>"vs", "versus" and "between" relate two sides that can swap without changing the question ("X vs Y" / "Y vs X").</summary>
    private static bool IsSymmetricPivot(ulong token)
    {
        var stem = CachePairTokenizer.StemOf(token);
        foreach (var symmetric in SymmetricPivots)
        {
            if (stem == symmetric)
            {
                return true;
            }
        }

        return false;
    }

    private static int Neighbour(ReadOnlySpan<ulong> tokens, int from, int step)
    {
        for (var k = from + step; k >= 0 && k < tokens.Length; k += step)
        {
            var cls = CachePairTokenizer.ClassOf(tokens[k]);
            if (cls == CachePairTokenClass.Pivot)
            {
                return -1;
            }

            if (cls != CachePairTokenClass.Function)
            {
                return k;
            }
        }

        return -1;
    }

    private static bool HasClass(ReadOnlySpan<ulong> tokens, CachePairTokenClass cls)
    {
        foreach (var token in tokens)
        {
            if (CachePairTokenizer.ClassOf(token) == cls)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsOpenClass(ulong token)
        => CachePairTokenizer.ClassOf(token) is CachePairTokenClass.Content or CachePairTokenClass.Entity or CachePairTokenClass.Polar;

    private static bool IsNameLike(ulong token)
        => CachePairTokenizer.ClassOf(token) is CachePairTokenClass.Entity or CachePairTokenClass.Number or CachePairTokenClass.Date or CachePairTokenClass.Time;

    private static ReadOnlySpan<ulong> AsSpan(IReadOnlyList<ulong> list)
        => list is ulong[] array ? array : list.ToArray();

    /// <summary>
    /// The WordNet relations of one pair's differing words, each computed on first use (<see cref="CacheWordRelations.Relate"/>
    /// intersects several runs of synset ids), for the synonym alignment and the relation features to share.
    /// </summary>
    private ref struct RelationMemo
    {
        /// <summary>The most words per question that get a memo row or column.</summary>
        public const int MaxWords = 32;

        /// <summary>A cell not computed yet (relations take six bits).</summary>
        public const byte Unknown = 0xFF;

        private readonly CacheWordRelations _table;
        private readonly ReadOnlySpan<int> _relationsA;
        private readonly ReadOnlySpan<int> _relationsB;
        private readonly ReadOnlySpan<int> _slotA;
        private readonly ReadOnlySpan<int> _slotB;
        private readonly Span<byte> _cells;
        private readonly int _columns;

        public RelationMemo(CacheWordRelations table, ReadOnlySpan<int> relationsA, ReadOnlySpan<int> relationsB, ReadOnlySpan<int> slotA, ReadOnlySpan<int> slotB, Span<byte> cells, int columns)
        {
            _table = table;
            _relationsA = relationsA;
            _relationsB = relationsB;
            _slotA = slotA;
            _slotB = slotB;
            _cells = cells;
            _columns = columns;
        }

        /// <summary>How word i of one question and word j of the other relate (both in the table).</summary>
        public readonly CacheWordRelation Relate(int i, int j)
        {
            var row = _slotA[i];
            var column = _slotB[j];
            if (row < 0 || column < 0)
            {
                return _table.Relate(_relationsA[i], _relationsB[j]);
            }

            ref var cell = ref _cells[(row * _columns) + column];
            if (cell == Unknown)
            {
                cell = (byte)_table.Relate(_relationsA[i], _relationsB[j]);
            }

            return (CacheWordRelation)cell;
        }
    }
}
