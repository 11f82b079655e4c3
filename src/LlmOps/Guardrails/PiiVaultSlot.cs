namespace LlmOps.Guardrails;

/// <summary>
/// Holds one request's <see cref="PiiVault"/>, created on the first finding that needs it (a vault is about 1.6 KB;
/// most requests redact nothing). Shared by the request's input and output contexts. Thread-safe.
/// </summary>
internal sealed class PiiVaultSlot(PiiVault? vault = null)
{
    private PiiVault? _vault = vault;

    /// <summary>Gets the vault if one was created, else <see langword="null"/>.</summary>
    public PiiVault? Value => Volatile.Read(ref _vault);

    /// <summary>Gets the number of stored values (0 when no vault was created).</summary>
    public int Count => Value?.Count ?? 0;

    /// <summary>Gets the vault, creating it on first use.</summary>
    public PiiVault GetOrCreate() => Value ?? LazyInitializer.EnsureInitialized(ref _vault);

    /// <summary>Restores the placeholders in <paramref name="text"/>; the text itself when no vault was created.</summary>
    public string Restore(string text) => Value is { } vault ? vault.Restore(text) : text;
}
