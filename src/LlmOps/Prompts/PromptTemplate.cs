using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace LlmOps.Prompts;

/// <summary>
/// An immutable prompt version: a name, a version number, ordered role messages with <c>{{variable}}</c> holes,
/// declared variables, optional model settings and metadata.
/// </summary>
/// <remarks>
/// <para>
/// Syntax: <c>{{name}}</c> (spaces inside the braces allowed) inserts a value as plain text. To write a literal
/// <c>{{</c>, write <c>\{{</c>. Single braces are always literal, so JSON examples need no escaping. Values are
/// never re-scanned, so a value containing <c>{{x}}</c> or message delimiters stays inert text in its message.
/// </para>
/// <para>The template is parsed once per instance, on first render; instances are shared per version.</para>
/// </remarks>
public sealed class PromptTemplate
{
    private readonly PromptMessageTemplate[] _messages;
    private readonly PromptVariable[] _variables;
    private CompiledPrompt? _compiled;

    /// <summary>Initializes a new draft (version 0) to register with <see cref="PromptRegistry.RegisterAsync"/>.</summary>
    /// <param name="name">The prompt name.</param>
    /// <param name="messages">The messages, in order.</param>
    /// <param name="variables">The declared variables; <see langword="null"/> declares none.</param>
    /// <param name="settings">The model settings, if any.</param>
    /// <param name="metadata">The metadata, if any.</param>
    /// <exception cref="ArgumentException">The name is empty, there are no messages, or a variable is declared twice.</exception>
    public PromptTemplate(
        string name,
        IEnumerable<PromptMessageTemplate> messages,
        IEnumerable<PromptVariable>? variables = null,
        PromptModelSettings? settings = null,
        PromptMetadata? metadata = null)
        : this(name, 0, null, messages, variables, settings, metadata)
    {
    }

    internal PromptTemplate(
        string name,
        int version,
        string? contentHash,
        IEnumerable<PromptMessageTemplate> messages,
        IEnumerable<PromptVariable>? variables,
        PromptModelSettings? settings,
        PromptMetadata? metadata)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(messages);
        _messages = [.. messages];
        if (_messages.Length == 0)
        {
            throw new ArgumentException($"Prompt '{name}' has no messages; give at least one role message.", nameof(messages));
        }

        RequireText(name, name, nameof(name));
        foreach (var m in _messages)
        {
            ArgumentNullException.ThrowIfNull(m, nameof(messages));
            ArgumentNullException.ThrowIfNull(m.Content, nameof(messages));
            ArgumentNullException.ThrowIfNull(m.Role.Value, nameof(messages));
            RequireText(name, m.Content, nameof(messages));
            RequireText(name, m.Role.Value, nameof(messages));
            if (m.Role.Value.Contains('\n', StringComparison.Ordinal) || m.Role.Value.StartsWith('\\'))
            {
                throw new ArgumentException($"Prompt '{name}' has a message role that contains a line break or starts with a backslash; a role is one line, such as 'system' or 'developer'.", nameof(messages));
            }
        }

        _variables = variables is null ? [] : [.. variables];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in _variables)
        {
            ArgumentNullException.ThrowIfNull(v, nameof(variables));
            ArgumentNullException.ThrowIfNull(v.Name, nameof(variables));
            RequireText(name, v.Name, nameof(variables));
            RequireText(name, v.Default, nameof(variables));
            if (!seen.Add(v.Name))
            {
                throw new ArgumentException($"Prompt '{name}' declares variable '{v.Name}' twice.", nameof(variables));
            }
        }

        if (settings is not null)
        {
            RequireText(name, settings.ModelId, nameof(settings));
            RequireText(name, settings.ResponseFormat, nameof(settings));
        }

        if (metadata is not null)
        {
            RequireText(name, metadata.Author, nameof(metadata));
            RequireText(name, metadata.Description, nameof(metadata));
            ArgumentNullException.ThrowIfNull(metadata.Tags, nameof(metadata));
            foreach (var tag in metadata.Tags)
            {
                ArgumentNullException.ThrowIfNull(tag, nameof(metadata));
                RequireText(name, tag, nameof(metadata));
            }
        }

        Name = name;
        Version = version;
        Settings = settings is { ModelId: null, Temperature: null, MaxOutputTokens: null, ResponseFormat: null } ? null : settings; // empty settings mean none
        Metadata = metadata ?? new PromptMetadata();
        ContentHash = contentHash ?? ComputeContentHash();
    }

    /// <summary>Gets the prompt name.</summary>
    public string Name { get; }

    /// <summary>Gets the version number: 1, 2, … once registered; 0 for a draft.</summary>
    public int Version { get; }

    /// <summary>Gets the messages, in order.</summary>
    public IReadOnlyList<PromptMessageTemplate> Messages => _messages;

    /// <summary>Gets the declared variables.</summary>
    public IReadOnlyList<PromptVariable> Variables => _variables;

    /// <summary>Gets the model settings, or <see langword="null"/> (also when every setting given was <see langword="null"/>).</summary>
    public PromptModelSettings? Settings { get; }

    /// <summary>Gets the metadata.</summary>
    public PromptMetadata Metadata { get; }

    /// <summary>
    /// Gets the SHA-256 content hash (lower-case hex) recorded for this version, over the messages, variables
    /// and settings (not the metadata). Identical content registers as the same version.
    /// </summary>
    public string ContentHash { get; }

    /// <summary>Gets a value indicating whether the content still matches <see cref="ContentHash"/>.</summary>
    public bool IsIntact => string.Equals(ContentHash, ComputeContentHash(), StringComparison.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => $"{Name}@{Version}";

    /// <summary>Renders the messages with the given variable values.</summary>
    /// <param name="variables">The values by variable name; <see langword="null"/> for none. Values are formatted with the invariant culture.</param>
    /// <param name="allowUnknownVariables">When <see langword="true"/>, values for undeclared variables are ignored instead of rejected.</param>
    /// <returns>New messages, one per template message, with the same roles.</returns>
    /// <exception cref="PromptRenderException">A required variable is missing, or a value names an undeclared variable.</exception>
    public IReadOnlyList<ChatMessage> Render(IReadOnlyDictionary<string, object?>? variables, bool allowUnknownVariables = false)
    {
        var texts = RenderContents(variables, allowUnknownVariables);
        var result = new ChatMessage[texts.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            result[i] = new ChatMessage(_messages[i].Role, texts[i]);
        }

        return result;
    }

    /// <summary>Renders only the message contents (one string per message), in order.</summary>
    /// <param name="variables">The values by variable name.</param>
    /// <param name="allowUnknownVariables">When <see langword="true"/>, values for undeclared variables are ignored.</param>
    /// <returns>The rendered contents.</returns>
    /// <exception cref="PromptRenderException">A required variable is missing, or a value names an undeclared variable.</exception>
    public string[] RenderContents(IReadOnlyDictionary<string, object?>? variables, bool allowUnknownVariables = false)
        => (_compiled ??= CompiledPrompt.Compile(this)).Render(variables, allowUnknownVariables);

    /// <summary>Parses the template now, so syntax errors surface at registration.</summary>
    internal void Compile() => _compiled ??= CompiledPrompt.Compile(this);

    internal PromptTemplate WithVersion(int version, PromptMetadata? metadata = null)
        => new(Name, version, ContentHash, _messages, _variables, Settings, metadata ?? Metadata);

    internal PromptTemplate WithName(string name)
        => new(name, Version, null, _messages, _variables, Settings, Metadata);

    /// <summary>Rejects text that is not well-formed UTF-16 (a lone surrogate), which no UTF-8 file or hash can keep.</summary>
    private static void RequireText(string prompt, string? text, string parameter)
    {
        if (text is null || text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0) return;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                throw new ArgumentException($"Prompt '{prompt}' contains a lone UTF-16 surrogate at index {i}; pass well-formed text.", parameter);
            }
        }
    }

    internal string ComputeContentHash()
    {
        var sb = new StringBuilder();
        foreach (var m in _messages)
        {
            sb.Append("m\u0001").Append(m.Role.Value).Append('\u0001').Append(m.Content).Append('\u0000');
        }

        foreach (var v in _variables)
        {
            sb.Append("v\u0001").Append(v.Name).Append('\u0001').Append(v.Required ? '1' : '0').Append('\u0001')
              .Append(v.Default is null ? "\u0002" : v.Default).Append('\u0000');
        }

        if (Settings is { } s)
        {
            sb.Append("s\u0001").Append(s.ModelId).Append('\u0001')
              .Append(s.Temperature?.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append('\u0001')
              .Append(s.MaxOutputTokens?.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\u0001')
              .Append(s.ResponseFormat).Append('\u0000');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
