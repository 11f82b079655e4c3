using BenchmarkDotNet.Attributes;
using LlmOps.Prompts;
using Microsoft.Extensions.AI;

namespace LlmOps.Benchmarks;

/// <summary>
/// Renders a 3-message template with 5 variables. Baseline: the naive approach most code uses, a chain of
/// string.Replace calls per message (re-scans the text per variable, and re-expands values that contain holes).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class PromptRenderBenchmark
{
    private static readonly string[] Raw =
    [
        "You are {{persona}}, a careful assistant for {{company}}. Answer in {{language}}.",
        "Context:\n{{context}}\n\nKeep the answer under {{limit}} words.",
        "Question from a {{company}} customer, answer in {{language}}.",
    ];

    private PromptTemplate _template = null!;
    private Dictionary<string, object?> _values = null!;

    [GlobalSetup]
    public void Setup()
    {
        _template = new PromptTemplate(
            "bench",
            [new PromptMessageTemplate(ChatRole.System, Raw[0]), new PromptMessageTemplate(ChatRole.User, Raw[1]), new PromptMessageTemplate(ChatRole.User, Raw[2])],
            [new PromptVariable("persona"), new PromptVariable("company"), new PromptVariable("language"), new PromptVariable("context"), new PromptVariable("limit")]);
        _values = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["persona"] = "Ada",
            ["company"] = "Contoso",
            ["language"] = "English",
            ["context"] = "Contoso sells bicycles and repairs them within two working days.",
            ["limit"] = "120",
        };
        _ = _template.RenderContents(_values); // parse once per version, as the registry does
    }

    [Benchmark(Baseline = true)]
    public string[] StringReplace()
    {
        var result = new string[Raw.Length];
        for (var i = 0; i < Raw.Length; i++)
        {
            var text = Raw[i];
            foreach (var (name, value) in _values)
            {
                text = text.Replace("{{" + name + "}}", (string)value!, StringComparison.Ordinal);
            }

            result[i] = text;
        }

        return result;
    }

    [Benchmark]
    public string[] RenderContents() => _template.RenderContents(_values);

    [Benchmark]
    public IReadOnlyList<ChatMessage> RenderMessages() => _template.Render(_values);
}
