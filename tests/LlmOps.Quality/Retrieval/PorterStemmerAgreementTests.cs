using System.Text.RegularExpressions;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;
using LlmOps.Retrieval;
using Xunit.Abstractions;

namespace LlmOps.Quality.Retrieval;

/// <summary>
/// Our Porter stemmer (inside <see cref="EnglishTextAnalyzer"/>) against Lucene.Net's <c>PorterStemFilter</c>, word
/// for word, on SciFact's vocabulary (30,617 distinct a-z words; read from ../shared/data/scifact, never copied) or,
/// when SciFact is absent, on the vocabulary of this repository's Markdown files.
/// </summary>
public sealed partial class PorterStemmerAgreementTests(ITestOutputHelper output)
{
    [Fact]
    public void Stem_CorpusVocabulary_MatchesLucenePorterStemFilter()
    {
        (string source, IEnumerable<string> lines) = Vocabulary();
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            foreach (Match m in Word().Matches(line.ToLowerInvariant()))
            {
                words.Add(m.Value);
            }
        }

        var ours = new EnglishTextAnalyzer(stopWords: []);
        var differences = new List<string>();
        foreach (string word in words)
        {
            using TokenStream stream = new PorterStemFilter(new WhitespaceTokenizer(LuceneVersion.LUCENE_48, new StringReader(word)));
            ICharTermAttribute term = stream.AddAttribute<ICharTermAttribute>();
            stream.Reset();
            Assert.True(stream.IncrementToken());
            string lucene = term.ToString();
            stream.End();
            string mine = string.Join("|", ours.Analyze(word));
            if (mine != lucene)
            {
                differences.Add($"{word}: ours {mine}, Lucene {lucene}");
            }
        }

        output.WriteLine($"{words.Count} distinct words from {source}; {differences.Count} differ.");
        Assert.True(words.Count > 1000, $"only {words.Count} words read from {source}");
        Assert.Empty(differences);
    }

    private static (string Source, IEnumerable<string> Lines) Vocabulary()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string corpus = Path.Combine(dir.FullName, "shared", "data", "scifact", "corpus.jsonl");
            if (File.Exists(corpus))
            {
                return ("SciFact", File.ReadLines(corpus));
            }

            if (File.Exists(Path.Combine(dir.FullName, "LlmOps.sln")))
            {
                string root = dir.FullName;
                for (DirectoryInfo? up = dir.Parent; up is not null; up = up.Parent)
                {
                    string shared = Path.Combine(up.FullName, "shared", "data", "scifact", "corpus.jsonl");
                    if (File.Exists(shared))
                    {
                        return ("SciFact", File.ReadLines(shared));
                    }
                }

                return ("the repository's Markdown files (SciFact is absent)", Directory.EnumerateFiles(root, "*.md", SearchOption.AllDirectories).SelectMany(File.ReadLines));
            }
        }

        throw new InvalidOperationException("Neither ../shared/data/scifact nor the repository root was found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("[a-z]+", RegexOptions.NonBacktracking)]
    private static partial Regex Word();
}
