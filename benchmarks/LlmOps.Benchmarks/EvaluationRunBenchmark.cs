using BenchmarkDotNet.Attributes;
using LlmOps.Evaluation;
using LlmOps.Evaluation.Runs;
using LlmOps.Testing;
using Microsoft.Extensions.AI;

namespace LlmOps.Benchmarks;

/// <summary>
/// A 1,000-item dataset run (issue 20: under 5 s) against a scripted target that answers instantly, scored with BLEU,
/// chrF and ROUGE, at concurrency 1 and 4. Baseline: the same loop without the run machinery (call, then evaluate).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class EvaluationRunBenchmark
{
    private const int Items = 1000;
    private EvaluationDataset _dataset = null!;
    private ScriptedChatClient _target = null!;
    private Microsoft.Extensions.AI.Evaluation.IEvaluator[] _evaluators = [];

    [Params(1, 4)]
    public int Concurrency { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dataset = EvaluationDataset.FromItems(Enumerable.Range(1, Items).Select(i =>
            new EvaluationItem($"q{i}", $"question {i} about the pipeline", [$"the pipeline answer number {i} with several more words of reference text"], [], new Dictionary<string, string>())));
        _target = new ScriptedChatClient().Otherwise((messages, _) =>
            ScriptedResponse.FromText($"the pipeline answer {messages[^1].Text.Split(' ')[1]} with a few words of model text"));
        _evaluators = [new BleuEvaluator(), new ChrFEvaluator(), new RougeEvaluator()];
    }

    [GlobalCleanup]
    public void Cleanup() => _target.Dispose();

    [Benchmark(Baseline = true)]
    public async Task<int> PlainLoop()
    {
        int n = 0;
        foreach (EvaluationItem item in _dataset.Items)
        {
            ChatMessage[] messages = [new(ChatRole.User, item.Input)];
            ChatResponse response = await _target.GetResponseAsync(messages);
            var context = new ReferenceContext(item.References);
            foreach (var evaluator in _evaluators)
            {
                n += (await evaluator.EvaluateAsync(messages, response, additionalContext: [context])).Metrics.Count;
            }
        }

        return n;
    }

    [Benchmark]
    public async Task<int> EvaluationRunExecute()
    {
        EvaluationRunResult result = await EvaluationRun.ExecuteAsync(_dataset, _target, _evaluators, new EvaluationRunOptions { MaxConcurrency = Concurrency });
        return result.Items.Count;
    }
}
