using System.Text.RegularExpressions;
using System.Text;
using BenchmarkDotNet.Attributes;
using LlmOps.Guardrails.Injection;
using LlmOps.Guardrails.Scanners;
using LlmOps.Guardrails;
using Microsoft.Extensions.AI;

namespace LlmOps.Benchmarks;

/// <summary>
/// The default guardrail input chain (size limit, invisible text, prompt injection, PII, secrets) on a 2 KB prompt and
/// on a 1 MB document (throughput). Baseline: one pass of a single non-backtracking email regex, the least any PII
/// scan does. Peers: the PII scanner alone, and the whole <see cref="GuardrailsChatClient"/> round trip with a no-op model.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class GuardrailsBenchmark
{
    private static readonly Regex Email = new(@"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24}", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);

    private IGuardrail[] _chain = [];
    private IGuardrail[] _outputChain = [];
    private SecretsGuardrail _secrets = new();
    private InvisibleTextGuardrail _invisible = new();
    private GuardrailContext _outputContext = null!;
    private PiiGuardrail _pii = new();
    private PromptInjectionGuardrail _grammarOnly = new() { UseTrainedModel = false };
    private PromptInjectionGuardrail _injection = new();
    private GuardrailContext _context = null!;
    private GuardrailsChatClient _client = null!;
    private GuardrailsChatClient _echoClient = null!;
    private List<ChatMessage> _messages = [];
    private string _text = string.Empty;

    /// <summary>Gets the sizes to run: both, or those listed in <c>GUARDRAILS_BENCH_SIZES</c> (for example <c>2KB</c>).</summary>
    public static IEnumerable<string> Sizes => Environment.GetEnvironmentVariable("GUARDRAILS_BENCH_SIZES")?.Split(',') ?? ["2KB", "1MB"];

    /// <summary>Gets or sets the input size.</summary>
    [ParamsSource(nameof(Sizes))]
    public string Size { get; set; } = "2KB";

    [GlobalSetup]
    public void Setup()
    {
        _text = Build(Size == "2KB" ? 2 * 1024 : 1024 * 1024);
        var options = new GuardrailsOptions();
        foreach (var guardrail in DefaultGuardrails.Create())
        {
            // The 1 MB document measures throughput, so the 256K default limit must not short-cut it.
            if (guardrail is SizeLimitGuardrail limit)
            {
                limit.MaxCharacters = 4 * 1024 * 1024;
            }

            options.Guardrails.Add(guardrail);
        }

        _chain = [.. options.Guardrails.Where(g => (g.Stages & GuardrailStage.Input) != 0)];
        _outputChain = [.. options.Guardrails.Where(g => (g.Stages & GuardrailStage.Output) != 0)];
        _messages = [new ChatMessage(ChatRole.System, "You are a helpful assistant."), new ChatMessage(ChatRole.User, _text)];
        _context = new GuardrailContext(GuardrailStage.Input, _messages);
        _outputContext = new GuardrailContext(GuardrailStage.Output, _messages);
        _client = new GuardrailsChatClient(new NoOpChatClient(), options);
        _echoClient = new GuardrailsChatClient(new NoOpChatClient(new ChatResponse(new ChatMessage(ChatRole.Assistant, _text))), options);
    }

    [Benchmark(Baseline = true)]
    public int SingleEmailRegexPass() => Email.Count(_text);

    [Benchmark]
    public async Task<int> PiiScannerOnly() => (await _pii.ScanAsync(_text, new GuardrailContext(GuardrailStage.Input, _messages), default)).Findings.Count;

    /// <summary>The secrets scanner alone (issue 16's per-scanner breakdown; it runs on input and output).</summary>
    [Benchmark]
    public int SecretsScannerOnly() => _secrets.Detect(_text).Count;

    /// <summary>The invisible-text scanner alone (input).</summary>
    [Benchmark]
    public async Task<int> InvisibleTextScannerOnly() => (await _invisible.ScanAsync(_text, _context, default)).Findings.Count;

    /// <summary>The output chain's scanners on an answer of the same size (PII, secrets, JSON, system-prompt leak), without the decorator.</summary>
    [Benchmark]
    public async Task<int> DefaultOutputChain()
    {
        var findings = 0;
        foreach (var guardrail in _outputChain)
        {
            findings += (await guardrail.ScanAsync(_text, _outputContext, default)).Findings.Count;
        }

        return findings;
    }

    /// <summary>The injection scanner with its grammar alone (the trained layer off).</summary>
    [Benchmark]
    public double InjectionGrammarOnly() => _grammarOnly.Score(_text).Score;

    /// <summary>The default injection scanner: grammar plus the trained layer.</summary>
    [Benchmark]
    public double InjectionGrammarAndModel() => _injection.Score(_text).Score;

    [Benchmark]
    public async Task<int> DefaultInputChain()
    {
        var findings = 0;
        var context = new GuardrailContext(GuardrailStage.Input, _messages);
        foreach (var guardrail in _chain)
        {
            findings += (await guardrail.ScanAsync(_text, context, default)).Findings.Count;
        }

        return findings;
    }

    [Benchmark]
    public async Task<string> GuardrailsChatClientRoundTrip() => (await _client.GetResponseAsync(_messages)).Text;

    /// <summary>The default chain on input and output (issue 16): the prompt and an answer of the same size, through the decorator.</summary>
    [Benchmark]
    public async Task<string> DefaultChainInputAndOutput() => (await _echoClient.GetResponseAsync(_messages)).Text;

    internal static string Build(int size)
    {
        string[] sentences =
        [
            "Hi team, I am preparing the quarterly summary for the board meeting next Thursday. ",
            "Please review the attached figures and let me know if anything looks off before Monday. ",
            "Revenue grew in every region except the north, where two large contracts slipped into next quarter. ",
            "You can reach me at maria.garcia@example.com or call +1 415 555 0132 if it is urgent. ",
            "The server at 10.20.30.40 was slow again yesterday, so the dashboard numbers may lag by an hour. ",
            "Could you also summarise the customer feedback in three bullet points and suggest next steps? ",
            "We agreed to keep the tone neutral and to avoid any forward-looking statements in the draft. ",
        ];
        var builder = new StringBuilder(size + 128);
        var i = 0;
        while (builder.Length < size)
        {
            builder.Append(sentences[i++ % sentences.Length]);
        }

        return builder.ToString(0, size);
    }

    private sealed class NoOpChatClient(ChatResponse? answer = null) : IChatClient
    {
        private readonly ChatResponse _answer = answer ?? new(new ChatMessage(ChatRole.Assistant, "Thanks, noted."));

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => Task.FromResult(_answer);

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
