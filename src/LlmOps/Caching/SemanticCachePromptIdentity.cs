namespace LlmOps.Caching;

/// <summary>The prompt that produced a request, as the cache keys and invalidates it.</summary>
/// <param name="Name">The prompt name.</param>
/// <param name="Version">The prompt version, or <see langword="null"/>.</param>
public readonly record struct SemanticCachePromptIdentity(string? Name, string? Version);
