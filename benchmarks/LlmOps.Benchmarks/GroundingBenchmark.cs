using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using LlmOps.Retrieval;
using Microsoft.Extensions.AI;

namespace LlmOps.Benchmarks;

/// <summary>
/// Issue 18's row: the grounding stage's own overhead per request, excluding retrieval and embedding (goal ≤ 20 µs).
/// The retriever replays eight chunks that a real BM25 retrieval returned once at setup (so retrieval costs nothing in
/// the measured call); the stage then screens them, fits them into the token budget (counting their tokens), composes
/// the numbered sources, calls the model, parses the answer's citations and scores each answer sentence against the
/// sources (lexical support: no embedding generator). Baseline: the inner client alone. The third row is the stage's
/// pass-through: the retriever finds nothing and the model answers anyway (what PipelineOverheadBenchmark configures).
/// The fourth row is the same request over an index with embeddings (a hashed-words generator, no model): the
/// sufficiency check then reads each source's stored vector for its cosine and the similarity floor; the question's
/// vector comes from the index's last-query cache, as after dense or hybrid retrieval, so no embedding is timed.
/// </summary>
[MemoryDiagnoser]
public class GroundingBenchmark
{
    private const string Question = "How do I reset my password on the Contoso portal if I lost access to my email?";

    private const string Answer =
        "Open Settings, choose Security, then select Reset password [1]. "
        + "If you lost access to your email, verify your identity with the phone number on file [2]. "
        + "Administrators can also force a reset from the admin console [3].";

    private static readonly string[] Topics =
    [
        "To reset your password on the Contoso portal, open Settings, choose Security, then select Reset password. The portal sends a reset link to the email address on file; the link expires after thirty minutes.",
        "If you lost access to your email, you can verify your identity with the phone number on file. The portal sends a one-time code by text message, and you can then choose a new password without the reset link.",
        "Administrators can force a password reset for any user from the admin console. The user must choose a new password at the next sign-in, and existing sessions on other devices are signed out.",
        "Passwords on the Contoso portal must be at least twelve characters long and must not repeat any of the last five passwords. The portal rejects passwords found in public breach lists.",
        "Two-step verification adds a second check at sign-in. You can use an authenticator app, a hardware key or a text message; the portal recommends an authenticator app for most accounts.",
        "Locked accounts unlock automatically after fifteen minutes. Repeated failed sign-ins from one address lock the account again, and an administrator can unlock it earlier from the admin console.",
        "The Contoso portal keeps a sign-in history for ninety days. You can review recent sign-ins under Security, and report any sign-in you do not recognise to the support team.",
        "Support is available by chat from eight to six on weekdays. Before contacting support about a password reset, try the self-service reset, which resolves most cases within minutes.",
    ];

    private readonly ChatMessage[] _messages = [new(ChatRole.System, "You are the Contoso support assistant."), new(ChatRole.User, Question)];
    private readonly FixedAnswerClient _inner = new(Answer);
    private DocumentIndex _index = null!;
    private GroundingChatClient _grounding = null!;
    private GroundingChatClient _nothingRetrieved = null!;
    private DocumentIndex _denseIndex = null!;
    private GroundingChatClient _withEmbeddings = null!;
    private IReadOnlyList<RetrievedChunk> _replayed = [];
    private SourceAnalysis[]? _supportSources;
    private string[]? _supportSentences;
    private readonly Task<ChatResponse> _done = Task.FromResult(new ChatResponse());

    [GlobalSetup]
    public void Setup()
    {
        _index = new DocumentIndex();
        _index.IngestAsync(Topics.Select((t, i) => new RetrievalDocument("doc-" + i, t))).GetAwaiter().GetResult();
        var retrieved = new Bm25Retriever(_index).RetrieveAsync(new RetrievalQuery(Question) { Top = 8 }).GetAwaiter().GetResult();
        _grounding = new GroundingChatClient(_inner, new ReplayRetriever(retrieved));
        _replayed = retrieved;

        _nothingRetrieved = new GroundingChatClient(_inner, new ReplayRetriever([]), new GroundingOptions { AnswerWhenThin = true });
        Check(_grounding, expectSimilarity: false);

        _denseIndex = new DocumentIndex(embeddingGenerator: new HashedWordsGenerator());
        _denseIndex.IngestAsync(Topics.Select((t, i) => new RetrievalDocument("doc-" + i, t))).GetAwaiter().GetResult();
        var dense = new Bm25Retriever(_denseIndex).RetrieveAsync(new RetrievalQuery(Question) { Top = 8 }).GetAwaiter().GetResult();
        _withEmbeddings = new GroundingChatClient(_inner, new ReplayIndexedRetriever(dense, _denseIndex));
        Check(_withEmbeddings, expectSimilarity: true);
    }

    /// <summary>
    /// The baseline's process also prints each row's thread CPU time per call (<see cref="PrintThreadCpu"/>): with a
    /// dozen runnable threads on two cores, wall-clock means include the time a thread waited for a core.
    /// </summary>
    [GlobalSetup(Target = nameof(InnerAlone))]
    public void SetupWithThreadCpu()
    {
        Setup();
        PrintThreadCpu(rounds: 15, calls: 2_000);
    }

    /// <summary>
    /// The four rows measured in turn, round after round, in one process, by this thread's CPU time
    /// (<c>CLOCK_THREAD_CPUTIME_ID</c>) and by wall clock: per call, the minimum and the median over rounds of
    /// <paramref name="calls"/> calls each.
    /// </summary>
    public void PrintThreadCpu(int rounds, int calls)
    {
        (string Name, Func<Task<ChatResponse>> Run)[] cases =
        [
            ("Inner client alone", InnerAlone),
            ("8 sources, lexical", Grounded),
            ("Nothing retrieved", NothingRetrieved),
            ("8 sources, with embeddings", GroundedWithEmbeddings),
            ("Support of the 3 answer sentences alone", SupportOnly),
        ];
        var cpu = new List<double>[cases.Length];
        var wall = new List<double>[cases.Length];
        for (var c = 0; c < cases.Length; c++)
        {
            (cpu[c], wall[c]) = ([], []);
        }

        for (var round = 0; round < rounds + 2; round++)
        {
            for (var c = 0; c < cases.Length; c++)
            {
                var run = cases[c].Run;
                var cpu0 = ThreadCpuTime.Microseconds();
                var t0 = Stopwatch.GetTimestamp();
                for (var i = 0; i < calls; i++)
                {
                    run().GetAwaiter().GetResult();
                }

                var w = Stopwatch.GetElapsedTime(t0).TotalMicroseconds / calls;
                var u = (ThreadCpuTime.Microseconds() - cpu0) / calls;
                if (round >= 2)
                {
                    cpu[c].Add(u);
                    wall[c].Add(w);
                }
            }
        }

        for (var c = 0; c < cases.Length; c++)
        {
            Console.WriteLine($"// THREAD-CPU {cases[c].Name}: thread CPU min {cpu[c].Min():F2} us, median {Median(cpu[c]):F2} us; wall min {wall[c].Min():F2} us, median {Median(wall[c]):F2} us ({rounds} rounds of {calls} calls)");
        }

        static double Median(List<double> values)
        {
            var sorted = values.ToArray();
            Array.Sort(sorted);
            return sorted[sorted.Length / 2];
        }
    }

    /// <summary>The support scoring of the answer's three sentences against the sources they cite (chunk analyses kept).</summary>
    private Task<ChatResponse> SupportOnly()
    {
        var scorer = GroundednessScorer.Default;
        var sources = _supportSources ??= [.. _replayed.Select(r => r.Chunk.GetAnalysis(scorer))];
        var sentences = _supportSentences ??= [.. CitationParser.Parse(Answer, sources.Length).Select(p => p.Text)];
        var total = 0.0;
        for (var i = 0; i < sentences.Length; i++)
        {
            total += scorer.SupportBy(sentences[i], sources.AsSpan(i, 1));
        }

        return total > 0 ? _done : throw new InvalidOperationException("No support.");
    }


    [GlobalCleanup]
    public void Cleanup()
    {
        _index.Dispose();
        _denseIndex.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Inner client alone")]
    public Task<ChatResponse> InnerAlone() => _inner.GetResponseAsync(_messages);

    [Benchmark(Description = "GroundingChatClient, 8 sources (retrieval replayed)")]
    public Task<ChatResponse> Grounded() => _grounding.GetResponseAsync(_messages);

    [Benchmark(Description = "GroundingChatClient, nothing retrieved (AnswerWhenThin)")]
    public Task<ChatResponse> NothingRetrieved() => _nothingRetrieved.GetResponseAsync(_messages);

    [Benchmark(Description = "GroundingChatClient, 8 sources, index with embeddings (cosine + similarity floor)")]
    public Task<ChatResponse> GroundedWithEmbeddings() => _withEmbeddings.GetResponseAsync(_messages);

    private void Check(GroundingChatClient client, bool expectSimilarity)
    {
        var check = client.GetResponseAsync(_messages).GetAwaiter().GetResult().GetGrounding();
        if (check is null || check.Refused || check.Sources.Count < 3 || check.Sentences.Count != 3 || check.Similarity.HasValue != expectSimilarity)
        {
            throw new InvalidOperationException($"The grounding setup did not ground the answer: {check?.Sources.Count} sources, {check?.Sentences.Count} sentences, refused {check?.Refused}, similarity {check?.Similarity}.");
        }
    }

    private sealed class ReplayIndexedRetriever(IReadOnlyList<RetrievedChunk> chunks, DocumentIndex index) : IRetriever, IIndexedRetriever
    {
        private readonly Task<IReadOnlyList<RetrievedChunk>> _result = Task.FromResult(chunks);

        public DocumentIndex? Index => index;

        public Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(RetrievalQuery query, CancellationToken cancellationToken = default) => _result;
    }

    /// <summary>A 384-dimensional bag of hashed lower-case words (no model: the benchmark excludes embedding).</summary>
    private sealed class HashedWordsGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var result = new GeneratedEmbeddings<Embedding<float>>();
            foreach (var value in values)
            {
                var vector = new float[384];
                foreach (var word in value.ToLowerInvariant().Split([' ', '.', ',', '?', ';', ':'], StringSplitOptions.RemoveEmptyEntries))
                {
                    vector[(int)((uint)StringComparer.Ordinal.GetHashCode(word) % 384)] += 1;
                }

                System.Numerics.Tensors.TensorPrimitives.Divide(vector, System.Numerics.Tensors.TensorPrimitives.Norm(vector), vector);
                result.Add(new Embedding<float>(vector));
            }

            return Task.FromResult(result);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private sealed class ReplayRetriever(IReadOnlyList<RetrievedChunk> chunks) : IRetriever
    {
        private readonly Task<IReadOnlyList<RetrievedChunk>> _result = Task.FromResult(chunks);

        public Task<IReadOnlyList<RetrievedChunk>> RetrieveAsync(RetrievalQuery query, CancellationToken cancellationToken = default) => _result;
    }

    private sealed class FixedAnswerClient(string answer) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)) { FinishReason = ChatFinishReason.Stop });

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
