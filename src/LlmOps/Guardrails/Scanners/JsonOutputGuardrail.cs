using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;
using Microsoft.Extensions.AI;

namespace LlmOps.Guardrails.Scanners;

/// <summary>
/// Checks that an answer is valid JSON, and conforms to the JSON schema, when the request asked for JSON
/// (<see cref="ChatOptions.ResponseFormat"/> is <see cref="ChatResponseFormatJson"/>) or when <see cref="Schema"/> is set.
/// Markdown code fences around the JSON are tolerated. Blocks on failure. Schemas are validated with JsonSchema.Net.
/// </summary>
public sealed class JsonOutputGuardrail : IGuardrail
{
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public string Name => "json_output";

    /// <inheritdoc/>
    public GuardrailStage Stages => GuardrailStage.Output;

    /// <inheritdoc/>
    public GuardrailFailureMode FailureMode { get; set; } = GuardrailFailureMode.FailClosed;

    /// <inheritdoc/>
    public bool ScansCompleteOutput => true;

    /// <summary>Gets or sets a schema to enforce on every answer, even when the request did not ask for JSON.</summary>
    /// <value>The default value is <see langword="null"/>: only requests asking for JSON are checked.</value>
    public JsonElement? Schema { get; set; }

    /// <inheritdoc/>
    public ValueTask<GuardrailResult> ScanAsync(string text, GuardrailContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(context);
        var requested = context.Options?.ResponseFormat as ChatResponseFormatJson;
        var schema = Schema ?? requested?.Schema;
        if (requested is null && schema is null)
        {
            return ValueTask.FromResult(GuardrailResult.Allow());
        }

        var json = StripFences(text);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToString(), new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            return Fail("output.invalid_json", $"The answer is not valid JSON (line {ex.LineNumber + 1}, position {ex.BytePositionInLine}).", text.Length);
        }
        catch (ArgumentException)
        {
            // Lone surrogates cannot be transcoded to UTF-8.
            return Fail("output.invalid_json", "The answer is not valid JSON (it contains invalid UTF-16).", text.Length);
        }

        using (document)
        {
            if (schema is not { } s)
            {
                return ValueTask.FromResult(GuardrailResult.Allow());
            }

            var compiled = _schemas.GetOrAdd(s.GetRawText(), static raw => JsonSchema.FromText(raw));
            var result = compiled.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (result.IsValid)
            {
                return ValueTask.FromResult(GuardrailResult.Allow());
            }

            string? where = null;
            if (result.Details is { } details)
            {
                foreach (var detail in details)
                {
                    if (!detail.IsValid && detail.Errors is { Count: > 0 })
                    {
                        where = detail.InstanceLocation.ToString();
                        break;
                    }
                }
            }

            return Fail("output.schema_mismatch", $"The JSON answer does not conform to the schema{(where is null ? string.Empty : $" at '{where}'")}.", text.Length);
        }
    }

    private static ValueTask<GuardrailResult> Fail(string type, string reason, int length)
        => ValueTask.FromResult(GuardrailResult.Block([new GuardrailFinding(type, 0, length, 1, reason)]));

    private static ReadOnlySpan<char> StripFences(string text)
    {
        var span = text.AsSpan().Trim();
        if (span.StartsWith("```"))
        {
            var newline = span.IndexOf('\n');
            span = newline < 0 ? [] : span[(newline + 1)..];
            var close = span.LastIndexOf("```");
            if (close >= 0)
            {
                span = span[..close];
            }
        }

        return span.Trim();
    }
}
