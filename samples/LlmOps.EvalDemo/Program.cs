using LlmOps.Evaluation;
using LlmOps.Evaluation.Comparison;
using LlmOps.Evaluation.Reports;
using LlmOps.Evaluation.Runs;
using LlmOps.Prompts;
using LlmOps.Testing;
using Microsoft.Extensions.AI;

// Evaluates two versions of a prompt from the prompt registry on a small bundled dataset, offline, in one call: the
// model is scripted, answering the way each version's instruction makes a real model answer. Writes eval-report.html
// (or the path given).
string output = args.Length > 0 ? args[0] : Path.Combine(Environment.CurrentDirectory, "eval-report.html");
EvaluationDataset dataset = await EvaluationDataset.LoadJsonlAsync(Path.Combine(AppContext.BaseDirectory, "capitals.jsonl"));
Dictionary<string, string> capitals = new()
{
    ["France"] = "Paris", ["Germany"] = "Berlin", ["Italy"] = "Rome", ["Spain"] = "Madrid", ["Portugal"] = "Lisbon",
    ["the Netherlands"] = "Amsterdam", ["Belgium"] = "Brussels", ["Austria"] = "Vienna", ["Switzerland"] = "Zurich",
    ["Poland"] = "Warsaw", ["Sweden"] = "Stockholm", ["Norway"] = "Oslo",
};

string Country(string question) => question["What is the capital of ".Length..^1];

var registry = new PromptRegistry(new InMemoryPromptStore());
await registry.RegisterAsync(new PromptTemplate("capitals", [new PromptMessageTemplate(ChatRole.System, "Answer briefly.")]));
await registry.RegisterAsync(new PromptTemplate("capitals", [new PromptMessageTemplate(ChatRole.System, "Answer in a full sentence.")]));

// Under v1 ("Answer briefly.") the model says one word, wrong for Switzerland; under v2 ("Answer in a full
// sentence.") it says full sentences. The registry stage puts the version's messages before the item's question.
using ScriptedChatClient model = new ScriptedChatClient().Otherwise((m, _) =>
{
    string country = Country(m[^1].Text);
    return m[0].Text == "Answer briefly."
        ? ScriptedResponse.FromText(capitals[country] + ".")
        : ScriptedResponse.FromText($"The capital of {country} is {(country == "Switzerland" ? "Bern" : capitals[country])}.");
});
using var pipeline = new PromptRegistryChatClient(model, registry);

var evaluators = new Microsoft.Extensions.AI.Evaluation.IEvaluator[] { new BleuEvaluator(), new ChrFEvaluator(), new RougeEvaluator(), new SquadAnswerEvaluator() };
IReadOnlyList<EvaluationRunResult> runs = await EvaluationRun.ExecuteAsync(
    dataset,
    [EvaluationTarget.FromPrompt(pipeline, "capitals", version: 1), EvaluationTarget.FromPrompt(pipeline, "capitals", version: 2)],
    evaluators);
(EvaluationRunResult a, EvaluationRunResult b) = (runs[0], runs[1]);
Console.WriteLine($"Ran {a.Prompt} and {b.Prompt} on {a.Items.Count} items.");

foreach (string metric in new[] { BleuEvaluator.BleuMetricName, RougeEvaluator.RougeLMetricName, SquadAnswerEvaluator.TokenF1MetricName })
{
    BootstrapComparison c = PairedComparison.Bootstrap([.. a.Values(metric).Select(v => v ?? 0)], [.. b.Values(metric).Select(v => v ?? 0)]);
    Console.WriteLine($"{metric,-12} v1 {a.Mean(metric):0.###}  v2 {b.Mean(metric):0.###}  delta {c.MeanDifference:+0.###;-0.###} [{c.Lower:0.###}, {c.Upper:0.###}]  {(c.BIsBetter ? "v2 is better" : c.BIsWorse ? "v2 is worse" : "no significant difference")}");
}

McNemarResult exact = PairedComparison.McNemar([.. a.Values(SquadAnswerEvaluator.ExactMatchMetricName).Select(v => v == 1)], [.. b.Values(SquadAnswerEvaluator.ExactMatchMetricName).Select(v => v == 1)]);
Console.WriteLine($"Exact match: only v1 {exact.OnlyAPassed}, only v2 {exact.OnlyBPassed}, McNemar p = {exact.PValue:0.####}");
GateResult gate = RegressionGate.Check(RougeEvaluator.RougeLMetricName, [.. b.Values(RougeEvaluator.RougeLMetricName).Select(v => v ?? 0)], minimumMean: 0.5, baseline: [.. a.Values(RougeEvaluator.RougeLMetricName).Select(v => v ?? 0)]);
Console.WriteLine($"Regression gate for v2 (ROUGE-L >= 0.5, not below v1): {(gate.Passed ? "passed" : "failed: " + string.Join(" ", gate.Failures))}");

await EvaluationHtmlReport.WriteAsync(b, output, "Capitals: prompt v2 against v1", baseline: a);
Console.WriteLine($"Report: {output}");
