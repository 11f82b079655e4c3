using LlmOps.Prompts;
using Microsoft.Extensions.AI;

namespace LlmOps.Tests.Prompts;

internal static class PromptTestData
{
    public static PromptTemplate Summarize(string system = "You summarise text in {{sentences}} sentences.", PromptModelSettings? settings = null)
        => new("summarize",
            [new PromptMessageTemplate(ChatRole.System, system), new PromptMessageTemplate(ChatRole.User, "Text:\n{{text}}")],
            [new PromptVariable("sentences", Required: false, Default: "2"), new PromptVariable("text")],
            settings);

    public static Dictionary<string, object?> Vars(params (string Key, object? Value)[] pairs)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in pairs) d[k] = v;
        return d;
    }
}
