using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using System.Reflection;
using LlmOps.Prompts;
using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>Typed accessors for prompt references on requests and prompt provenance on responses.</summary>
public static class PromptChatExtensions
{
    internal const string PromptKey = "llmops.prompt";
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    /// <summary>Returns a copy of <paramref name="options"/> that asks the prompt registry stage for a prompt.</summary>
    /// <param name="options">The options to copy, or <see langword="null"/>.</param>
    /// <param name="name">The prompt name.</param>
    /// <param name="variables">The values: a dictionary, or an object whose public properties are the variables (for example <c>new { sentences = 3 }</c>).</param>
    /// <param name="version">A version to pin, or <see langword="null"/>.</param>
    /// <param name="label">A label to use (for example <c>production</c>), or <see langword="null"/>.</param>
    /// <param name="subject">The experiment subject; defaults to the scope's user.</param>
    /// <returns>The new options.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    [RequiresUnreferencedCode("An anonymous object's properties are read by reflection, which trimming can remove. In trimmed or native AOT apps pass the variables as an IEnumerable<KeyValuePair<string, object?>> (for example a Dictionary).")]
    public static ChatOptions WithPrompt(this ChatOptions? options, string name, object? variables = null, int? version = null, string? label = null, string? subject = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return options.WithProperty(PromptKey, new PromptReference { Name = name, Variables = ToDictionary(variables), Version = version, Label = label, Subject = subject });
    }

    /// <summary>Gets the prompt reference a request carries, or <see langword="null"/>.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The reference.</returns>
    public static PromptReference? GetPrompt(this ChatOptions? options)
        => options?.AdditionalProperties?.TryGetValue(PromptKey, out var value) == true ? value as PromptReference : null;

    /// <summary>Gets which prompt version and variant produced a response, or <see langword="null"/>.</summary>
    /// <param name="response">The response.</param>
    /// <returns>The provenance.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static PromptProvenance? GetPromptProvenance(this ChatResponse response)
        => response.GetLlmOpsInfo()?.Get<PromptProvenance>();

    [RequiresUnreferencedCode("Reads an anonymous object's properties by reflection.")]
    private static Dictionary<string, object?> ToDictionary(object? variables)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        switch (variables)
        {
            case null:
                break;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                foreach (var (k, v) in pairs) result[k] = v;
                break;
            case IEnumerable<KeyValuePair<string, string>> strings:
                foreach (var (k, v) in strings) result[k] = v;
                break;
            default:
                foreach (var p in Properties.GetOrAdd(variables.GetType(), static t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)))
                {
                    if (p.GetIndexParameters().Length == 0) result[p.Name] = p.GetValue(variables);
                }

                break;
        }

        return result;
    }
}
