using Microsoft.Extensions.AI;

namespace LlmOps.Guardrails;

/// <summary>What a scanner knows about the request a text belongs to.</summary>
public sealed class GuardrailContext
{
    /// <summary>Initializes a new instance of the <see cref="GuardrailContext"/> class.</summary>
    /// <param name="stage">The stage being scanned.</param>
    /// <param name="messages">The request messages as the caller sent them.</param>
    /// <param name="options">The request options, or <see langword="null"/>.</param>
    /// <param name="vault">The per-request PII vault; when <see langword="null"/>, one is created on first use of <see cref="Vault"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    public GuardrailContext(GuardrailStage stage, IReadOnlyList<ChatMessage> messages, ChatOptions? options = null, PiiVault? vault = null)
        : this(stage, messages, options, new PiiVaultSlot(vault))
    {
    }

    /// <summary>Initializes a context whose vault is shared with the request's other contexts, created on the first finding.</summary>
    internal GuardrailContext(GuardrailStage stage, IReadOnlyList<ChatMessage> messages, ChatOptions? options, PiiVaultSlot vault)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Stage = stage;
        Messages = messages;
        Options = options;
        VaultSlot = vault;
    }

    /// <summary>Gets the stage being scanned.</summary>
    public GuardrailStage Stage { get; }

    /// <summary>Gets the request messages as the caller sent them (do not modify).</summary>
    public IReadOnlyList<ChatMessage> Messages { get; }

    /// <summary>Gets the request options, or <see langword="null"/>.</summary>
    public ChatOptions? Options { get; }

    /// <summary>Gets the request scope (tenant, user, feature).</summary>
    public LlmOpsScope Scope => Options.GetScope();

    /// <summary>Gets the retrieved sources, when a grounding stage supplied them; otherwise empty.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>
    /// Gets the per-request vault that maps PII placeholders back to the originals. It is created on first use, so a
    /// request in which nothing is redacted never builds one.
    /// </summary>
    public PiiVault Vault => VaultSlot.GetOrCreate();

    /// <summary>Gets the holder of the request's vault, shared by its input and output contexts.</summary>
    internal PiiVaultSlot VaultSlot { get; }

    /// <summary>Gets the system prompt: the text of the request's system messages (empty when none).</summary>
    public string SystemPrompt
    {
        get
        {
            if (_systemPrompt is null)
            {
                var builder = new System.Text.StringBuilder();
                foreach (var message in Messages)
                {
                    if (message.Role == ChatRole.System)
                    {
                        builder.AppendLine(message.Text);
                    }
                }

                _systemPrompt = builder.ToString();
            }

            return _systemPrompt;
        }
    }

    private string? _systemPrompt;

    /// <summary>Gets or sets the canary token planted in the system prompt, when the leak guard planted one.</summary>
    public string? Canary { get; set; }
}
