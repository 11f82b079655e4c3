using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace LlmOps.Prompts;

/// <summary>
/// Reads and writes one prompt version as a text file: YAML front matter, then the messages, each under a
/// role header line (<c>system:</c>, <c>user:</c>, <c>assistant:</c>, <c>tool:</c>, or a role the front matter
/// declares under <c>roles:</c>). A content line that would read as a header, or that starts with a backslash, is
/// written with one extra leading backslash.
/// </summary>
/// <remarks>
/// <para>
/// Writing is exact for every template <see cref="PromptTemplate"/> accepts: front-matter strings that are not
/// plain words are written as double-quoted YAML scalars with every line break and control character escaped
/// (so YAML's line folding and block-scalar chomping never apply), and when a message contains a carriage return
/// the front matter says <c>escaped: true</c> and every content line is written with backslash escapes
/// (<c>\\</c>, <c>\r</c>, and <c>\&amp;</c>, the empty escape, in front of a line that would read as a header).
/// </para>
/// <para>Reading accepts hand-written files with LF or CRLF line endings.</para>
/// </remarks>
[RequiresDynamicCode(PromptFileFormat.ReflectionReason)]
[RequiresUnreferencedCode(PromptFileFormat.ReflectionReason)]
internal static class PromptFileFormat
{
    /// <summary>Why prompt files need reflection: YamlDotNet's serializer reads the front matter into classes by reflection.</summary>
    internal const string ReflectionReason = "Prompt files are read and written with YamlDotNet's reflection-based serializer, which native AOT and trimming do not support. In such apps use InMemoryPromptStore or a database store.";

    private static readonly IDeserializer Reader = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
    private static readonly ISerializer Writer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull | DefaultValuesHandling.OmitEmptyCollections)
        .Build();

    private static readonly string[] BuiltInRoles = ["system", "user", "assistant", "tool"];

    public static string Write(PromptTemplate t)
    {
        var customRoles = new List<string>();
        var escaped = false;
        foreach (var m in t.Messages)
        {
            if (Array.IndexOf(BuiltInRoles, m.Role.Value) < 0 && !customRoles.Contains(m.Role.Value)) customRoles.Add(m.Role.Value);
            escaped |= m.Content.Contains('\r', StringComparison.Ordinal);
        }

        var sb = new StringBuilder("---\n");
        Key(sb, "name").Scalar(t.Name);
        Key(sb, "version").Append(t.Version.ToString(CultureInfo.InvariantCulture)).Append('\n');
        Key(sb, "hash").Scalar(t.ContentHash);
        if (t.Metadata.Author is { } author) Key(sb, "author").Scalar(author);
        if (t.Metadata.Description is { } description) Key(sb, "description").Scalar(description);
        if (t.Metadata.Tags.Count > 0)
        {
            sb.Append("tags:\n");
            foreach (var tag in t.Metadata.Tags) sb.Append("- ").Scalar(tag);
        }

        if (t.Settings is { } s)
        {
            if (s.ModelId is { } model) Key(sb, "model").Scalar(model);
            if (s.Temperature is { } temperature) Key(sb, "temperature").Append(FormatFloat(temperature)).Append('\n');
            if (s.MaxOutputTokens is { } max) Key(sb, "maxOutputTokens").Append(max.ToString(CultureInfo.InvariantCulture)).Append('\n');
            if (s.ResponseFormat is { } format) Key(sb, "responseFormat").Scalar(format);
        }

        if (t.Variables.Count > 0)
        {
            sb.Append("variables:\n");
            foreach (var v in t.Variables)
            {
                sb.Append("- name: ").Scalar(v.Name);
                sb.Append("  required: ").Append(v.Required ? "true" : "false").Append('\n');
                if (v.Default is { } value) sb.Append("  default: ").Scalar(value);
            }
        }

        if (customRoles.Count > 0)
        {
            sb.Append("roles:\n");
            foreach (var role in customRoles) sb.Append("- ").Scalar(role);
        }

        if (escaped) sb.Append("escaped: true\n");
        sb.Append("---\n");

        for (var i = 0; i < t.Messages.Count; i++)
        {
            if (i > 0) sb.Append('\n');
            sb.Append(t.Messages[i].Role.Value).Append(":\n");
            foreach (var line in t.Messages[i].Content.Split('\n'))
            {
                if (escaped)
                {
                    var encoded = line.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
                    if (IsHeader(encoded, customRoles)) sb.Append("\\&");
                    sb.Append(encoded).Append('\n');
                }
                else
                {
                    if (line.StartsWith('\\') || IsHeader(line, customRoles)) sb.Append('\\');
                    sb.Append(line).Append('\n');
                }
            }
        }

        return sb.ToString();
    }

    public static PromptTemplate Read(string path, string text, int? fileVersion = null)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var lines = text.Split('\n');
        if (lines[0] != "---")
        {
            throw Fail(path, 1, "the file must start with a '---' line that opens the YAML front matter", fileVersion);
        }

        var close = Array.IndexOf(lines, "---", 1);
        if (close < 0)
        {
            throw Fail(path, lines.Length, "the YAML front matter is never closed (the file may be half-written); add a '---' line after it", fileVersion);
        }

        FrontMatter header;
        try
        {
            header = Reader.Deserialize<FrontMatter?>(string.Join('\n', lines, 1, close - 1)) ?? new FrontMatter();
        }
        catch (YamlException ex)
        {
            // YAML lines count from the line after the opening '---'.
            throw Fail(path, (int)ex.Start.Line + 1, $"invalid YAML front matter: {ex.InnerException?.Message ?? ex.Message}", fileVersion, ex);
        }

        if (string.IsNullOrWhiteSpace(header.Name)) throw Fail(path, 2, "the front matter has no 'name'", fileVersion);
        if (header.Version < 1) throw Fail(path, 2, "the front matter needs 'version' of 1 or more", fileVersion);
        var customRoles = header.Roles ?? [];
        foreach (var role in customRoles)
        {
            if (string.IsNullOrWhiteSpace(role)) throw Fail(path, 2, "the front matter declares an empty role under 'roles'", fileVersion);
        }

        var messages = new List<PromptMessageTemplate>();
        string? current = null;
        var content = new List<string>();
        var end = lines.Length;
        if (end > close + 1 && lines[end - 1].Length == 0) end--; // the file's final newline
        for (var i = close + 1; i < end; i++)
        {
            var line = lines[i];
            if (IsHeader(line, customRoles))
            {
                Flush(last: false);
                current = line[..^1];
                continue;
            }

            if (current is null)
            {
                if (line.Trim().Length == 0) continue;
                throw Fail(path, i + 1, "text before the first role header; start the body with a line 'system:', 'user:', 'assistant:' or 'tool:'", fileVersion);
            }

            content.Add(header.Escaped ? Unescape(path, i + 1, line, fileVersion) : line.StartsWith('\\') ? line[1..] : line);
        }

        Flush(last: true);
        if (messages.Count == 0) throw Fail(path, close + 2, "the body has no messages; add a role header such as 'system:' followed by its text", fileVersion);

        var settings = header.Model is null && header.Temperature is null && header.MaxOutputTokens is null && header.ResponseFormat is null
            ? null
            : new PromptModelSettings { ModelId = header.Model, Temperature = header.Temperature, MaxOutputTokens = header.MaxOutputTokens, ResponseFormat = header.ResponseFormat };
        try
        {
            var metadata = new PromptMetadata { Author = header.Author, Description = header.Description, Tags = header.Tags ?? [] };
            var variables = header.Variables?.Select(v => new PromptVariable(v.Name ?? string.Empty, v.Required ?? true, v.Default));
            return new PromptTemplate(header.Name, header.Version, header.Hash, messages, variables, settings, metadata);
        }
        catch (ArgumentException ex)
        {
            throw Fail(path, 2, ex.Message, fileVersion, ex);
        }

        void Flush(bool last)
        {
            if (current is null) return;
            if (!last && content.Count > 0 && content[^1].Length == 0) content.RemoveAt(content.Count - 1); // section separator
            messages.Add(new PromptMessageTemplate(new ChatRole(current), string.Join('\n', content)));
            content.Clear();
        }
    }

    public static LabelsFile ReadLabels(string path, string text)
    {
        try
        {
            return Reader.Deserialize<LabelsFile?>(text) ?? new LabelsFile();
        }
        catch (YamlException ex)
        {
            throw Fail(path, (int)ex.Start.Line, $"invalid YAML: {ex.InnerException?.Message ?? ex.Message}", null, ex);
        }
    }

    public static string WriteLabels(LabelsFile labels) => Writer.Serialize(labels);

    internal static PromptStoreException Fail(string path, int line, string problem, int? version, Exception? inner = null)
    {
        var message = string.Create(CultureInfo.InvariantCulture, $"{path}({line}): {problem.TrimEnd('.')}.");
        return inner is null
            ? new PromptStoreException(message) { FilePath = path, Line = line, Version = version }
            : new PromptStoreException(message, inner) { FilePath = path, Line = line, Version = version };
    }

    private static string Unescape(string path, int lineNumber, string line, int? version)
    {
        if (!line.Contains('\\', StringComparison.Ordinal)) return line;
        var sb = new StringBuilder(line.Length);
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] != '\\')
            {
                sb.Append(line[i]);
                continue;
            }

            var next = i + 1 < line.Length ? line[i + 1] : '\0';
            switch (next)
            {
                case '\\': sb.Append('\\'); break;
                case 'r': sb.Append('\r'); break;
                case '&': break;
                default:
                    throw Fail(path, lineNumber, "a backslash in an escaped prompt file must start '\\\\', '\\r' or '\\&'", version);
            }

            i++;
        }

        return sb.ToString();
    }

    private static bool IsHeader(string line, List<string> customRoles)
    {
        if (line.Length < 2 || line[^1] != ':') return false;
        var role = line.AsSpan(0, line.Length - 1);
        foreach (var r in BuiltInRoles)
        {
            if (role.SequenceEqual(r)) return true;
        }

        foreach (var r in customRoles)
        {
            if (role.SequenceEqual(r)) return true;
        }

        return false;
    }

    private static StringBuilder Key(StringBuilder sb, string key) => sb.Append(key).Append(": ");

    /// <summary>Appends a string as a YAML scalar and a newline: plain when it is a safe word, else double-quoted with escapes.</summary>
    private static StringBuilder Scalar(this StringBuilder sb, string value)
    {
        if (IsPlainSafe(value)) return sb.Append(value).Append('\n');
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\u0085': sb.Append("\\N"); break;
                case '\u2028': sb.Append("\\L"); break;
                case '\u2029': sb.Append("\\P"); break;
                default:
                    // YAML's printable set excludes C0/C1 controls, DEL, the BOM inside a scalar, U+FFFE and U+FFFF.
                    if (c < ' ' || c is >= '\u007F' and <= '\u009F' or '\uFEFF' or '\uFFFE' or '\uFFFF')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append("\"\n");
    }

    private static bool IsPlainSafe(string value)
    {
        if (value.Length == 0 || value is "null" or "Null" or "NULL" or "~") return false;
        if (!char.IsAsciiLetterOrDigit(value[0]) || value[^1] == ' ') return false;
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or ' ')) return false;
        }

        return true;
    }

    private static string FormatFloat(float value) => value switch
    {
        float.PositiveInfinity => ".inf",
        float.NegativeInfinity => "-.inf",
        _ when float.IsNaN(value) => ".nan",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    internal sealed class FrontMatter
    {
        public string? Name { get; set; }
        public int Version { get; set; }
        public string? Hash { get; set; }
        public string? Author { get; set; }
        public string? Description { get; set; }
        public List<string>? Tags { get; set; }
        public string? Model { get; set; }
        public float? Temperature { get; set; }
        public int? MaxOutputTokens { get; set; }
        public string? ResponseFormat { get; set; }
        public List<VariableEntry>? Variables { get; set; }
        public List<string>? Roles { get; set; }
        public bool Escaped { get; set; }
    }

    internal sealed class VariableEntry
    {
        public string? Name { get; set; }
        public bool? Required { get; set; }
        public string? Default { get; set; }
    }

    internal sealed class LabelsFile
    {
        public Dictionary<string, int> Labels { get; set; } = [];
        public List<LabelMoveEntry> History { get; set; } = [];
    }

    internal sealed class LabelMoveEntry
    {
        public string? Label { get; set; }
        public int? From { get; set; }
        public int To { get; set; }
        public string? By { get; set; }
        public string? At { get; set; }
    }
}
