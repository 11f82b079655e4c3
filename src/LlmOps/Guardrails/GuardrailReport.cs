namespace LlmOps.Guardrails;

/// <summary>
/// The guardrail facts of one request, stored as an <see cref="LlmOpsInfo"/> feature and read with
/// <c>response.GetGuardrailReport()</c>. Other stages (the cache) read <see cref="Blocked"/> so that a blocked
/// request or response is never stored. Thread-safe.
/// </summary>
public sealed class GuardrailReport
{
    // Created with the first finding, and locked itself (it is never handed out): most requests record none, and a
    // report with no findings is then one small object.
    private List<GuardrailFinding>? _findings;

    /// <summary>Gets a snapshot of the findings of every scanner in both stages.</summary>
    public IReadOnlyList<GuardrailFinding> Findings
    {
        get
        {
            if (Volatile.Read(ref _findings) is not { } findings)
            {
                return [];
            }

            lock (findings)
            {
                return [.. findings];
            }
        }
    }

    /// <summary>Gets a value indicating whether the request or the response was blocked.</summary>
    public bool Blocked => InputBlocked || OutputBlocked;

    /// <summary>Gets a value indicating whether the input was blocked (the model was never called).</summary>
    public bool InputBlocked { get; private set; }

    /// <summary>Gets a value indicating whether the output was blocked.</summary>
    public bool OutputBlocked { get; private set; }

    /// <summary>Gets a value indicating whether any text was redacted in either stage.</summary>
    public bool Redacted { get; private set; }

    /// <summary>Gets the most severe action taken in either stage.</summary>
    public GuardrailAction Action { get; private set; }

    /// <summary>
    /// Gets the report with no findings that requests through a guardrails stage with no scanners share (it is never
    /// recorded into: a stage with scanners replaces it with a report of its own first, see
    /// <see cref="LlmOpsInfo.ReplaceShared{T}"/>).
    /// </summary>
    internal static GuardrailReport Empty { get; } = new();

    /// <summary>Gets the value of the request's <see cref="GuardrailsTelemetryNames.ActionAttribute"/> tag.</summary>
    internal string ActionTag => Action switch
    {
        GuardrailAction.Block => "block",
        GuardrailAction.Redact => "redact",
        GuardrailAction.Flag => "flag",
        _ => "allow",
    };

    internal void Record(GuardrailStage stage, GuardrailAction action, IReadOnlyList<GuardrailFinding> findings)
    {
        if (ReferenceEquals(this, Empty))
        {
            throw new InvalidOperationException("The shared empty guardrail report cannot record findings; replace it with a report of the request's own first.");
        }

        var list = LazyInitializer.EnsureInitialized(ref _findings);
        lock (list)
        {
            list.AddRange(findings);
            if (action > Action)
            {
                Action = action;
            }

            if (action == GuardrailAction.Redact)
            {
                Redacted = true;
            }

            if (action == GuardrailAction.Block)
            {
                if (stage == GuardrailStage.Input)
                {
                    InputBlocked = true;
                }
                else
                {
                    OutputBlocked = true;
                }
            }
        }
    }
}
