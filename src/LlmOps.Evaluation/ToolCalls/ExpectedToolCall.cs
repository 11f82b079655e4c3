using System.Text.Json;

namespace LlmOps.Evaluation.ToolCalls;

/// <summary>
/// A tool call a response is expected to make: the function's name and, optionally, its arguments as a JSON object.
/// When <see cref="Arguments"/> is <see langword="null"/> any arguments match (only the name is checked).
/// </summary>
public sealed class ExpectedToolCall
{
    /// <summary>Initializes a new instance of the <see cref="ExpectedToolCall"/> class.</summary>
    /// <param name="name">The function's name (compared ordinally).</param>
    /// <param name="arguments">The expected arguments, a JSON object; <see langword="null"/> matches any arguments.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, or <paramref name="arguments"/> is not a JSON object.</exception>
    public ExpectedToolCall(string name, JsonElement? arguments = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (arguments is { } args && args.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"The expected arguments of '{name}' must be a JSON object such as {{\"city\": \"Paris\"}}; was a JSON {args.ValueKind}. Pass null to match any arguments.", nameof(arguments));
        }

        Name = name;
        Arguments = arguments?.Clone();
    }

    /// <summary>Gets the function's name.</summary>
    public string Name { get; }

    /// <summary>Gets the expected arguments (a JSON object), or <see langword="null"/> when any arguments match.</summary>
    public JsonElement? Arguments { get; }

    /// <summary>Returns the call as <c>name({"arg":value})</c> (compact JSON), or <c>name(*)</c> when any arguments match.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Name}({(Arguments is { } a ? JsonEquality.Compact(a) : "*")})";
}
