namespace LlmOps.Cli.Eval;

/// <summary>Reads <c>prediction&lt;TAB&gt;reference[&lt;TAB&gt;reference...]</c> lines; <c>#</c> lines and empty lines are skipped.</summary>
internal static class ScoreFileReader
{
    public static async Task<IReadOnlyList<ScoreLine>> ReadAsync(string path, TextReader stdin, CancellationToken cancellationToken)
    {
        TextReader reader;
        string name;
        if (path == "-")
        {
            reader = stdin;
            name = "<stdin>";
        }
        else
        {
            if (!File.Exists(path))
            {
                throw new CliException(ExitCodes.InputError, $"the file '{path}' does not exist. Pass the path of a TSV file (prediction<TAB>reference per line), or '-' to read standard input.");
            }

            try
            {
                reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException(ExitCodes.InputError, $"the file '{path}' cannot be read ({e.Message}). Check that it exists and that you may read it.");
            }

            name = path;
        }

        var lines = new List<ScoreLine>();
        try
        {
            int number = 0;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                number++;
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                string[] fields = line.Split('\t');
                if (fields.Length < 2)
                {
                    throw new CliException(
                        ExitCodes.InputError,
                        $"{name}:{number}: expected 'prediction<TAB>reference[<TAB>reference...]' but the line has no tab. Separate the prediction and each reference with a tab character, or start the line with '#' to make it a comment.");
                }

                lines.Add(new ScoreLine(number, fields[0], fields[1..]));
            }
        }
        finally
        {
            if (!ReferenceEquals(reader, stdin))
            {
                reader.Dispose();
            }
        }

        if (lines.Count == 0)
        {
            throw new CliException(ExitCodes.InputError, $"{name} has no prediction lines (only comments or empty lines). Add lines of the form 'prediction<TAB>reference'.");
        }

        return lines;
    }
}
