using Microsoft.Extensions.AI;

namespace LlmOps.Evaluation.Testing;

/// <summary>
/// Test assertions for prompts, usable from any test framework (a failed assertion throws
/// <see cref="PromptAssertionException"/>): run the prompt k times against a client (a <c>ScriptedChatClient</c> or a
/// replay cassette offline, a real model when recording) and require that enough runs satisfy a metric.
/// </summary>
/// <example>
/// <code>
/// await PromptAssert.That(client, "Summarise: ...")
///     .SatisfiesAsync(new RougeEvaluator(), RougeEvaluator.RougeLMetricName, minimum: 0.4, runs: 5, requiredPasses: 4,
///                     context: [new ReferenceContext("expected summary")]);
/// </code>
/// </example>
public static class PromptAssert
{
    /// <summary>Starts an assertion about the responses of <paramref name="client"/> to <paramref name="messages"/>.</summary>
    /// <param name="client">The client under test.</param>
    /// <param name="messages">The prompt messages.</param>
    /// <param name="options">The chat options for every run (cloned per run, never mutated).</param>
    /// <returns>The assertion.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="messages"/> is <see langword="null"/>.</exception>
    public static PromptAssertion That(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(messages);
        return new PromptAssertion(client, [.. messages], options);
    }

    /// <summary>Starts an assertion about the responses of <paramref name="client"/> to one user message.</summary>
    /// <param name="client">The client under test.</param>
    /// <param name="prompt">The user message.</param>
    /// <param name="options">The chat options for every run.</param>
    /// <returns>The assertion.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="prompt"/> is <see langword="null"/>.</exception>
    public static PromptAssertion That(IChatClient client, string prompt, ChatOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return That(client, [new ChatMessage(ChatRole.User, prompt)], options);
    }
}
