using System.Globalization;
using System.Text.RegularExpressions;
using LlmOps.Embeddings.MiniLM;
using LlmOps.Retrieval;
using LlmOps.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps.Demo;

/// <summary>Answers grounded in a small bundled corpus (corpus/*.md), with checked citations and one refusal.</summary>
internal static partial class GroundingSection
{
    public static async Task RunAsync(DemoContext demo)
    {
        demo.Out.WriteLine("== Grounding: services.AddLlmOps().AddGrounding(); hybrid retrieval (BM25 + MiniLM) over corpus/*.md, citations, refusal");

        using var index = new DocumentIndex(embeddingGenerator: new MiniLmEmbeddingGenerator());
        var folder = Path.Combine(AppContext.BaseDirectory, "corpus");
        var documents = Directory.GetFiles(folder, "*.md").Order(StringComparer.Ordinal).Select(path => new RetrievalDocument(Path.GetFileNameWithoutExtension(path), File.ReadAllText(path))
        {
            Format = DocumentFormat.Markdown,
            SourceUri = new Uri(path),
            Scope = "acme",
        });
        var ingested = await index.IngestAsync(documents);
        demo.Out.WriteLine($"Ingested {ingested.DocumentsAdded} documents as {index.ChunkCount} chunks ({ingested.ChunksEmbedded} embedded with MiniLM).");

        var services = new ServiceCollection();
        services.AddSingleton<IRetriever>(new HybridRetriever(index));
        services.AddLlmOps().AddGrounding();
        services.AddChatClient(demo.IsOffline ? ExtractiveModel() : demo.CreateModel()).UseLlmOps();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();

        foreach (var question in new[]
        {
            "How is the cost of a provider call computed?",
            "What do Large models cost per million tokens?",
            "What is the boiling point of mercury?",
        })
        {
            var response = await client.GetResponseAsync(question, new ChatOptions().WithScope("acme"));
            var grounding = response.GetGrounding()!;
            demo.Out.WriteLine($"Q: {question}");
            demo.Out.WriteLine($"A: {response.Text}");
            if (grounding.Refused)
            {
                var defaults = new GroundingOptions();
                demo.Out.WriteLine(grounding.Relevance < defaults.MinRelevance || grounding.Similarity is null
                    ? $"   refused without a provider call (relevance {grounding.Relevance:F2} < MinRelevance {defaults.MinRelevance})"
                    : $"   refused without a provider call (similarity {grounding.Similarity:F2} < MinSimilarity {defaults.MinSimilarity})");
                continue;
            }

            foreach (var source in grounding.Sources.Where(s => s.Cited))
            {
                demo.Out.WriteLine($"   [{source.Number}] {source.DocumentId}.md, characters {source.Start}-{source.Start + source.Length}");
            }

            foreach (var sentence in grounding.Sentences.Where(s => !s.Supported))
            {
                demo.Out.WriteLine($"   unsupported (support {sentence.Support.ToString("F2", CultureInfo.InvariantCulture)}): \"{sentence.Text}\"");
            }

            demo.Out.WriteLine($"   grounded fraction {grounding.GroundedFraction:F2}, relevance {grounding.Relevance:F2}");
        }

        demo.Out.WriteLine();
    }

    /// <summary>
    /// The offline stand-in for a model: it answers with the two sentences of source [1] that share the most words with
    /// the question, cited [1]. For the question about Large models it adds one invented sentence, to show the flag.
    /// </summary>
    private static IChatClient ExtractiveModel() => new ScriptedChatClient(defaultModelId: "offline-scripted")
        .Otherwise((messages, _) =>
        {
            var question = messages[^1].Text;
            var sources = messages.Count > 1 ? messages[^2].Text : string.Empty;
            var first = SourceBlock().Match(sources);
            var words = Words(question);
            var best = Sentences(first.Success ? first.Groups["text"].Value : string.Empty)
                .Where(s => !s.StartsWith('#'))
                .OrderByDescending(s => Words(s).Count(words.Contains))
                .Take(2)
                .Select(s => s.TrimEnd('.') + " [1].");
            var answer = string.Join(" ", best);
            if (question.Contains("Large", StringComparison.Ordinal))
            {
                answer += " Large models get a 40 percent discount at night [1].";
            }

            return ScriptedResponse.FromText(answer);
        });

    /// <summary>The sentences of a text: each heading line alone, then prose split after ". ", "! " or "? ".</summary>
    private static IEnumerable<string> Sentences(string text)
    {
        foreach (var paragraph in text.Split("\n\n"))
        {
            var prose = paragraph.Replace('\n', ' ').Trim();
            var start = 0;
            for (var i = 0; i < prose.Length; i++)
            {
                if (prose[i] is '.' or '!' or '?' && (i + 1 == prose.Length || prose[i + 1] == ' '))
                {
                    yield return prose[start..(i + 1)].Trim();
                    start = i + 1;
                }
            }

            if (start < prose.Length)
            {
                yield return prose[start..].Trim();
            }
        }
    }

    private static HashSet<string> Words(string text) =>
        [.. Word().Matches(text.ToLowerInvariant()).Select(m => m.Value).Where(w => w.Length > 3)];

    [GeneratedRegex("<source id=\"1\"[^>]*>\\n(?<text>.*?)\\n</source>", RegexOptions.Singleline | RegexOptions.NonBacktracking)]
    private static partial Regex SourceBlock();


    [GeneratedRegex("[a-z0-9]+", RegexOptions.NonBacktracking)]
    private static partial Regex Word();
}
