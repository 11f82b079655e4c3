namespace LlmOps.Routing;

/// <summary>
/// The cascade: a request routed by tier (a policy's choice, or a tier the caller asked for) is answered by that tier
/// first, and moves up <see cref="ModelRoutingOptions.TierOrder"/> when a verifier rejects the answer. Each escalation is
/// recorded with its reason. A group the caller names explicitly is never cascaded.
/// </summary>
/// <remarks>
/// A streaming request that may cascade is buffered: the cheap tier's answer is read in full and verified before any of
/// it reaches the caller, because escalation after text has reached the caller is impossible. The accepted answer is
/// then replayed as the stream.
/// </remarks>
public sealed class CascadeOptions
{
    /// <summary>Gets or sets a value indicating whether the cascade runs.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Enabled { get; set; }

    /// <summary>Gets the verifiers, run in order; the first rejection escalates.</summary>
    /// <value>The default value is an empty list (no verifier: the cascade never escalates).</value>
    public IList<IAnswerVerifier> Verifiers { get; set; } = [];

    /// <summary>Gets or sets the most escalations for one request.</summary>
    /// <value>The default value is 2 (Small to Medium to Large).</value>
    public int MaxEscalations { get; set; } = 2;

    internal CascadeOptions Clone()
    {
        var copy = (CascadeOptions)MemberwiseClone();
        copy.Verifiers = Verifiers is null ? [] : [.. Verifiers];
        return copy;
    }

    internal void Validate(List<string> errors)
    {
        if (Verifiers is null)
        {
            errors.Add("ModelRoutingOptions.Cascade.Verifiers must not be null; use an empty list.");
        }
        else if (Verifiers.Any(static v => v is null))
        {
            errors.Add("ModelRoutingOptions.Cascade.Verifiers contains null; remove it.");
        }

        if (MaxEscalations is < 0 or > 10)
        {
            errors.Add($"ModelRoutingOptions.Cascade.MaxEscalations must be in [0, 10]; was {MaxEscalations}.");
        }
    }
}
