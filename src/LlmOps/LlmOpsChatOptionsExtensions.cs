using Microsoft.Extensions.AI;

namespace LlmOps;

/// <summary>
/// Typed accessors for the per-request data that LlmOps stages read from
/// <see cref="ChatOptions.AdditionalProperties"/>. Callers never type raw keys.
/// </summary>
/// <remarks>
/// The <c>With…</c> methods return a <em>new</em> <see cref="ChatOptions"/> (a clone of the one given, or a
/// fresh one for <see langword="null"/>) so the caller's instance is never mutated.
/// </remarks>
public static class LlmOpsChatOptionsExtensions
{
    internal const string ScopeKey = "llmops.scope";
    internal const string InfoKey = "llmops.info";

    /// <summary>Returns a copy of <paramref name="options"/> that carries the given scope.</summary>
    /// <param name="options">The options to copy, or <see langword="null"/>.</param>
    /// <param name="tenant">The tenant id.</param>
    /// <param name="user">The user id.</param>
    /// <param name="feature">The feature name.</param>
    /// <returns>The new options.</returns>
    public static ChatOptions WithScope(this ChatOptions? options, string? tenant, string? user = null, string? feature = null)
        => options.WithScope(new LlmOpsScope(tenant, user, feature));

    /// <summary>Returns a copy of <paramref name="options"/> that carries the given scope.</summary>
    /// <param name="options">The options to copy, or <see langword="null"/>.</param>
    /// <param name="scope">The scope.</param>
    /// <returns>The new options.</returns>
    public static ChatOptions WithScope(this ChatOptions? options, LlmOpsScope scope)
        => options.WithProperty(ScopeKey, scope);

    /// <summary>Gets the scope carried by <paramref name="options"/>, or the global scope.</summary>
    /// <param name="options">The options, or <see langword="null"/>.</param>
    /// <returns>The scope.</returns>
    public static LlmOpsScope GetScope(this ChatOptions? options)
        => options?.AdditionalProperties?.TryGetValue(ScopeKey, out var value) == true && value is LlmOpsScope scope
            ? scope
            : LlmOpsScope.Global;

    /// <summary>Gets the <see cref="LlmOpsInfo"/> travelling with a request, when a stage created one.</summary>
    /// <param name="options">The options, or <see langword="null"/>.</param>
    /// <returns>The info, or <see langword="null"/>.</returns>
    public static LlmOpsInfo? GetLlmOpsInfo(this ChatOptions? options)
        => options is LlmOpsRequestOptions request
            ? request.Info
            : options?.AdditionalProperties?.TryGetValue(InfoKey, out var value) == true ? value as LlmOpsInfo : null;

    /// <summary>
    /// Returns a copy of <paramref name="options"/> with one additional property set. The copy's
    /// <see cref="ChatOptions.AdditionalProperties"/> is a new dictionary, so the original is untouched.
    /// </summary>
    /// <param name="options">The options to copy, or <see langword="null"/>.</param>
    /// <param name="key">The property key.</param>
    /// <param name="value">The value.</param>
    /// <returns>The new options.</returns>
    internal static ChatOptions WithProperty(this ChatOptions? options, string key, object? value)
    {
        var clone = options?.Clone() ?? new ChatOptions();

        // ChatOptions.Clone() copies the dictionary already (one copy, not two); a subclass whose Clone() shares the
        // caller's dictionary gets a copy here, so the caller's dictionary is never written.
        if (clone.AdditionalProperties is null)
        {
            clone.AdditionalProperties = [];
        }
        else if (ReferenceEquals(clone.AdditionalProperties, options?.AdditionalProperties))
        {
            clone.AdditionalProperties = new AdditionalPropertiesDictionary(clone.AdditionalProperties);
        }

        clone.AdditionalProperties[key] = value;
        return clone;
    }
}
