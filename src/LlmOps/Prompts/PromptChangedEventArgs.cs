namespace LlmOps.Prompts;

/// <summary>Says which prompt changed in an <see cref="IPromptChangeSource"/>.</summary>
public sealed class PromptChangedEventArgs : EventArgs
{
    /// <summary>Initializes a new instance of the <see cref="PromptChangedEventArgs"/> class.</summary>
    /// <param name="promptName">The prompt that changed, or <see langword="null"/> when any prompt may have changed.</param>
    public PromptChangedEventArgs(string? promptName)
    {
        PromptName = promptName;
    }

    /// <summary>Gets the prompt that changed, or <see langword="null"/> when any prompt may have changed.</summary>
    public string? PromptName { get; }
}
