namespace LlmOps.Prompts;

/// <summary>
/// Implemented by an <see cref="IPromptStore"/> that can tell when a prompt changed, including changes made by other
/// instances (the PostgreSQL store relays <c>LISTEN/NOTIFY</c>). <see cref="PromptRegistry"/> subscribes and drops its
/// cached copy of that prompt, so a label move is seen before <see cref="PromptRegistryOptions.RefreshInterval"/> ends.
/// </summary>
public interface IPromptChangeSource
{
    /// <summary>
    /// Raised after a prompt's versions or labels changed. <see cref="PromptChangedEventArgs.PromptName"/> is
    /// <see langword="null"/> when changes may have been missed (for example while a listener reconnected): every cached
    /// prompt is then stale. Handlers run on the store's thread and must return quickly.
    /// </summary>
    event EventHandler<PromptChangedEventArgs>? PromptChanged;
}
