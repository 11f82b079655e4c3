namespace LlmOps.Prompts;

/// <summary>
/// Which prompt produced a request: recorded in <see cref="LlmOpsInfo"/> by <see cref="PromptRegistryChatClient"/>,
/// read with <c>response.GetPromptProvenance()</c> or, by inner stages such as the cache, with
/// <c>options.GetLlmOpsInfo()?.Get&lt;PromptProvenance&gt;()</c>.
/// </summary>
/// <param name="Name">The prompt name.</param>
/// <param name="Version">The version rendered.</param>
/// <param name="ContentHash">The version's content hash.</param>
/// <param name="Label">The label resolved (including <c>latest</c>), or <see langword="null"/> when a version was pinned.</param>
/// <param name="Experiment">The experiment that chose the version, or <see langword="null"/>.</param>
/// <param name="Variant">The experiment variant, or <see langword="null"/>.</param>
public sealed record PromptProvenance(string Name, int Version, string ContentHash, string? Label, string? Experiment, string? Variant);
