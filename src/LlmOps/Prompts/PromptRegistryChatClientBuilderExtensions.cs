using LlmOps.Prompts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmOps;

/// <summary>Adds <see cref="PromptRegistryChatClient"/> to a <see cref="ChatClientBuilder"/>.</summary>
public static class PromptRegistryChatClientBuilderExtensions
{
    /// <summary>Adds the prompt registry stage: requests carrying <c>options.WithPrompt(...)</c> get the rendered prompt.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="registry">The registry; resolved from DI when <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">No registry was given and none is registered (call <c>AddPromptRegistry()</c>).</exception>
    public static ChatClientBuilder UsePromptRegistry(this ChatClientBuilder builder, PromptRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var resolved = registry ?? services.GetService<PromptRegistry>()
                ?? throw new InvalidOperationException("UsePromptRegistry() needs a PromptRegistry: pass one, or call services.AddLlmOps().AddPromptRegistry().");
            return new PromptRegistryChatClient(inner, resolved);
        });
    }
}
