using LlmOps.Prompts;

namespace LlmOps.Cli.Prompts;

/// <summary>
/// Reads a prompt file to push: the store's own file format (YAML front matter with <c>name</c>, then role sections).
/// The <c>version</c> and <c>hash</c> lines are optional here and ignored: the registry numbers the new version and
/// hashes its content, so a file copied from the store and edited is pushed as it now reads.
/// </summary>
internal static class PromptDraftReader
{
    public static PromptTemplate Read(string path, string text)
    {
        string normalised = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        string[] lines = normalised.Split('\n');
        int close = lines.Length > 0 && lines[0] == "---" ? Array.IndexOf(lines, "---", 1) : -1;
        if (close > 0)
        {
            // The store's reader insists on a version of 1 or more; a draft may leave it out.
            var kept = new List<string>(lines.Length) { "---", "version: 1" };
            for (int i = 1; i < lines.Length; i++)
            {
                bool header = i < close;
                if (header && (lines[i].StartsWith("version:", StringComparison.Ordinal) || lines[i].StartsWith("hash:", StringComparison.Ordinal)))
                {
                    continue;
                }

                kept.Add(lines[i]);
            }

            normalised = string.Join('\n', kept);
        }

        PromptTemplate parsed = PromptFileFormat.Read(path, normalised);
        return new PromptTemplate(parsed.Name, parsed.Messages, parsed.Variables, parsed.Settings, parsed.Metadata);
    }
}
