using Microsoft.Extensions.AI;

namespace LlmOps.Prompts;

/// <summary>One message of a <see cref="PromptTemplate"/>: a role and a content template with <c>{{variable}}</c> holes.</summary>
/// <param name="Role">The role of the rendered message.</param>
/// <param name="Content">The content template. <c>\{{</c> writes a literal <c>{{</c>.</param>
public sealed record PromptMessageTemplate(ChatRole Role, string Content);
