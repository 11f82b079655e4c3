using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace LlmOps.Prompts;

/// <summary>
/// Reads and writes one prompt version as a text file: YAML front matter, then the messages, each under a
/// role header line (<c>system:</c>, <c>user:</c>, <c>assistant:</c>, <c>tool:</c>). A content line that would
/// read as a header, or that starts with a backslash, is written with one extra leading backslash.
/// </summary>
internal static class PromptFileFormat
{
    private static readonly IDeserializer Reader = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build();
    private static readonly ISerializer Writer = new SerializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull | DefaultValuesHandling.OmitEmptyCollections)
        .Build();

    private static readonly string[] Roles = ["system", "user", "assistant", "tool"];

    public static string Write(PromptTemplate t)
    {
        var header = new FrontMatter
        {
            Name = t.Name,
            Version = t.Version,
            Hash = t.ContentHash,
            Author = t.Metadata.Author,
            Description = t.Metadata.Description,
            Tags = t.Metadata.Tags.Count > 0 ? [.. t.Metadata.Tags] : null,
            Model = t.Settings?.ModelId,
            Temperature = t.Settings?.Temperature,
            MaxOutputTokens = t.Settings?.MaxOutputTokens,
            ResponseFormat = t.Settings?.ResponseFormat,
            Variables = t.Variables.Count > 0 ? [.. t.Variables.Select(v => new VariableEntry { Name = v.Name, Required = v.Required, Default = v.Default })] : null,
        };

        var sb = new StringBuilder("---\n").Append(Writer.Serialize(header).Replace("\r\n", "\n", StringComparison.Ordinal)).Append("---\n");
        for (var i = 0; i < t.Messages.Count; i++)
        {
            if (i > 0) sb.Append('\n');
            sb.Append(t.Messages[i].Role.Value).Append(":\n");
            foreach (var line in t.Messages[i].Content.Split('\n'))
            {
                if (line.StartsWith('\\') || IsHeader(line)) sb.Append('\\');
                sb.Append(line).Append('\n');
            }
        }

        return sb.ToString();
    }

    public static PromptTemplate Read(string path, string text)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var lines = text.Split('\n');
        if (lines.Length == 0 || lines[0] != "---")
        {
            throw Fail(path, 1, "the file must start with a '---' line that opens the YAML front matter");
        }

        var close = Array.IndexOf(lines, "---", 1);
        if (close < 0)
        {
            throw Fail(path, 1, "the YAML front matter is never closed; add a '---' line after it");
        }

        FrontMatter header;
        try
        {
            header = Reader.Deserialize<FrontMatter?>(string.Join('\n', lines, 1, close - 1)) ?? new FrontMatter();
        }
        catch (YamlException ex)
        {
            // YAML lines count from the line after the opening '---'.
            throw Fail(path, (int)ex.Start.Line + 1, $"invalid YAML front matter: {ex.InnerException?.Message ?? ex.Message}", ex);
        }

        if (string.IsNullOrWhiteSpace(header.Name)) throw Fail(path, 2, "the front matter has no 'name'");
        if (header.Version < 1) throw Fail(path, 2, "the front matter needs 'version' of 1 or more");

        var messages = new List<PromptMessageTemplate>();
        string? role = null;
        var content = new List<string>();
        var end = lines.Length;
        if (end > close + 1 && lines[end - 1].Length == 0) end--; // the file's final newline
        for (var i = close + 1; i < end; i++)
        {
            var line = lines[i];
            if (IsHeader(line))
            {
                Flush(last: false);
                role = line[..^1];
                continue;
            }

            if (role is null)
            {
                if (line.Trim().Length == 0) continue;
                throw Fail(path, i + 1, $"text before the first role header; start the body with a line 'system:', 'user:', 'assistant:' or 'tool:'");
            }

            content.Add(line.StartsWith('\\') ? line[1..] : line);
        }

        Flush(last: true);
        if (messages.Count == 0) throw Fail(path, close + 2, "the body has no messages; add a role header such as 'system:' followed by its text");

        var settings = header.Model is null && header.Temperature is null && header.MaxOutputTokens is null && header.ResponseFormat is null
            ? null
            : new PromptModelSettings { ModelId = header.Model, Temperature = header.Temperature, MaxOutputTokens = header.MaxOutputTokens, ResponseFormat = header.ResponseFormat };
        var metadata = new PromptMetadata { Author = header.Author, Description = header.Description, Tags = header.Tags ?? [] };
        var variables = header.Variables?.Select(v => new PromptVariable(v.Name ?? string.Empty, v.Required ?? true, v.Default));
        try
        {
            return new PromptTemplate(header.Name, header.Version, header.Hash, messages, variables, settings, metadata);
        }
        catch (ArgumentException ex)
        {
            throw Fail(path, 2, ex.Message, ex);
        }

        void Flush(bool last)
        {
            if (role is null) return;
            if (!last && content.Count > 0 && content[^1].Length == 0) content.RemoveAt(content.Count - 1); // section separator
            messages.Add(new PromptMessageTemplate(new ChatRole(role), string.Join('\n', content)));
            content.Clear();
        }
    }

    private static bool IsHeader(string line)
    {
        foreach (var r in Roles)
        {
            if (line.Length == r.Length + 1 && line.EndsWith(':') && line.StartsWith(r, StringComparison.Ordinal)) return true;
        }

        return false;
    }

    private static PromptFileException Fail(string path, int line, string problem, Exception? inner = null)
    {
        var message = string.Create(CultureInfo.InvariantCulture, $"{path}({line}): {problem}.");
        return inner is null ? new PromptFileException(message) { FilePath = path, Line = line } : new PromptFileException(message, inner) { FilePath = path, Line = line };
    }

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

    public static LabelsFile ReadLabels(string path, string text)
    {
        try
        {
            return Reader.Deserialize<LabelsFile?>(text) ?? new LabelsFile();
        }
        catch (YamlException ex)
        {
            throw Fail(path, (int)ex.Start.Line, $"invalid YAML: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
    }

    public static string WriteLabels(LabelsFile labels) => Writer.Serialize(labels);
}
