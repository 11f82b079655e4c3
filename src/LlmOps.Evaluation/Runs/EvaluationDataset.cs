using System.Globalization;
using System.Text;
using System.Text.Json;
using LlmOps.Evaluation.ToolCalls;

namespace LlmOps.Evaluation.Runs;

/// <summary>
/// An evaluation dataset read from JSONL or CSV. JSONL: one object per line with <c>input</c> (required), optional
/// <c>id</c>, <c>reference</c> (string) or <c>references</c> (array), <c>context</c> (string or array),
/// <c>expected_tool_calls</c> (array of <c>{"name": "...", "arguments": {...}}</c>; <c>arguments</c> may be omitted to
/// match any arguments, or be a string holding a JSON object) and <c>metadata</c> (object). CSV (RFC 4180, header row):
/// an <c>input</c> column, optional <c>id</c>, every column whose name starts with <c>reference</c> is a reference and
/// every column starting with <c>context</c> a context chunk; an <c>expected_tool_calls</c> column holds either the
/// same JSON array or function names separated by <c>;</c> (names only, any arguments), and an empty cell means the
/// item says nothing about tool calls; other columns become metadata. Items without an id get their 1-based position.
/// Ids must be unique.
/// </summary>
public sealed class EvaluationDataset
{
    private const string ToolCallsField = "expected_tool_calls";

    private EvaluationDataset(IReadOnlyList<EvaluationItem> items) => Items = items;

    /// <summary>Gets the items, in file order.</summary>
    public IReadOnlyList<EvaluationItem> Items { get; }

    /// <summary>Creates a dataset from items.</summary>
    /// <param name="items">The items; ids must be unique.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is <see langword="null"/>.</exception>
    /// <exception cref="EvaluationDatasetException">Two items share an id.</exception>
    public static EvaluationDataset FromItems(IEnumerable<EvaluationItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        List<EvaluationItem> list = [.. items];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (EvaluationItem item in list)
        {
            if (!seen.Add(item.Id))
            {
                throw new EvaluationDatasetException($"Two items have the id '{item.Id}'; ids must be unique so a run can resume and runs can be paired. Give each item its own id.");
            }
        }

        return new EvaluationDataset(list);
    }

    /// <summary>Reads a JSONL dataset.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="EvaluationDatasetException">The file is missing or a line is malformed (the message names the line).</exception>
    public static async Task<EvaluationDataset> LoadJsonlAsync(string path, CancellationToken cancellationToken = default)
    {
        string[] lines = await ReadLinesAsync(path, cancellationToken).ConfigureAwait(false);
        var items = new List<EvaluationItem>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonElement root;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                root = doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new EvaluationDatasetException($"{path}:{i + 1}: the line is not valid JSON ({e.Message}). Write one JSON object per line.", e);
            }

            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("input", out JsonElement input) || input.ValueKind != JsonValueKind.String)
            {
                throw new EvaluationDatasetException($"{path}:{i + 1}: the object has no string \"input\". Each line needs {{\"input\": \"...\"}}.");
            }

            string id = root.TryGetProperty("id", out JsonElement idValue) && idValue.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? idValue.ToString()
                : (items.Count + 1).ToString(CultureInfo.InvariantCulture);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("metadata", out JsonElement meta) && meta.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty p in meta.EnumerateObject())
                {
                    metadata[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                }
            }

            IReadOnlyList<ExpectedToolCall>? toolCalls = root.TryGetProperty(ToolCallsField, out JsonElement calls) ? ToolCalls(calls, path, i + 1) : null;
            items.Add(new EvaluationItem(id, input.GetString()!, Strings(root, "reference", "references", path, i + 1), Strings(root, "context", "contexts", path, i + 1), metadata)
            {
                ExpectedToolCalls = toolCalls,
            });
        }

        return FromItems(items);
    }

    /// <summary>Reads a CSV dataset (RFC 4180, header row).</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="EvaluationDatasetException">The file is missing, has no <c>input</c> column, or a row is malformed.</exception>
    public static async Task<EvaluationDataset> LoadCsvAsync(string path, CancellationToken cancellationToken = default)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EvaluationDatasetException($"The dataset '{path}' cannot be read ({e.Message}). Check the path.", e);
        }

        List<(int Line, List<string> Fields)> rows = ParseCsv(text, path);
        if (rows.Count == 0)
        {
            throw new EvaluationDatasetException($"{path} is empty. Add a header row with an 'input' column, then one row per item.");
        }

        List<string> header = rows[0].Fields;
        int inputColumn = header.FindIndex(h => string.Equals(h.Trim(), "input", StringComparison.OrdinalIgnoreCase));
        if (inputColumn < 0)
        {
            throw new EvaluationDatasetException($"{path}:1: the header has no 'input' column (it has: {string.Join(", ", header)}). Name the column with the user input 'input'.");
        }

        int idColumn = header.FindIndex(h => string.Equals(h.Trim(), "id", StringComparison.OrdinalIgnoreCase));
        var items = new List<EvaluationItem>();
        foreach ((int line, List<string> fields) in rows.Skip(1))
        {
            if (fields.Count != header.Count)
            {
                throw new EvaluationDatasetException($"{path}:{line}: the row has {fields.Count} fields but the header has {header.Count}. Quote fields that contain commas, quotes or line breaks.");
            }

            var references = new List<string>();
            var context = new List<string>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            IReadOnlyList<ExpectedToolCall>? toolCalls = null;
            for (int c = 0; c < header.Count; c++)
            {
                string name = header[c].Trim();
                if (c == inputColumn || c == idColumn)
                {
                    continue;
                }

                if (string.Equals(name, ToolCallsField, StringComparison.OrdinalIgnoreCase))
                {
                    toolCalls = CsvToolCalls(fields[c], path, line);
                }
                else if (name.StartsWith("reference", StringComparison.OrdinalIgnoreCase))
                {
                    if (fields[c].Length > 0)
                    {
                        references.Add(fields[c]);
                    }
                }
                else if (name.StartsWith("context", StringComparison.OrdinalIgnoreCase))
                {
                    if (fields[c].Length > 0)
                    {
                        context.Add(fields[c]);
                    }
                }
                else
                {
                    metadata[name] = fields[c];
                }
            }

            string id = idColumn >= 0 && fields[idColumn].Length > 0 ? fields[idColumn] : (items.Count + 1).ToString(CultureInfo.InvariantCulture);
            items.Add(new EvaluationItem(id, fields[inputColumn], references, context, metadata) { ExpectedToolCalls = toolCalls });
        }

        return FromItems(items);
    }

    /// <summary>Reads <c>[{"name": "...", "arguments": {...}}, ...]</c>; <see langword="null"/> for a JSON null.</summary>
    private static List<ExpectedToolCall>? ToolCalls(JsonElement calls, string path, int line)
    {
        if (calls.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        const string Shape = "Write \"expected_tool_calls\": [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}] (omit \"arguments\" to match any arguments).";
        if (calls.ValueKind != JsonValueKind.Array)
        {
            throw new EvaluationDatasetException($"{path}:{line}: \"{ToolCallsField}\" must be an array of calls; was a JSON {calls.ValueKind}. {Shape}");
        }

        var list = new List<ExpectedToolCall>();
        foreach (JsonElement call in calls.EnumerateArray())
        {
            int n = list.Count + 1;
            if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("name", out JsonElement name) || name.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(name.GetString()))
            {
                throw new EvaluationDatasetException($"{path}:{line}: call {n} of \"{ToolCallsField}\" has no non-empty string \"name\". {Shape}");
            }

            JsonElement? arguments = null;
            if (call.TryGetProperty("arguments", out JsonElement args) && args.ValueKind != JsonValueKind.Null)
            {
                arguments = args.ValueKind == JsonValueKind.String ? ParseObject(args.GetString()!) : args;
                if (arguments is not { ValueKind: JsonValueKind.Object })
                {
                    throw new EvaluationDatasetException($"{path}:{line}: the \"arguments\" of call {n} ('{name.GetString()}') must be a JSON object (or a string holding one). {Shape}");
                }
            }

            list.Add(new ExpectedToolCall(name.GetString()!, arguments));
        }

        return list;

        static JsonElement? ParseObject(string json)
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(json);
                return doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>A CSV cell of expected calls: a JSON array as in JSONL, or names separated by ';'; empty means none given.</summary>
    private static List<ExpectedToolCall>? CsvToolCalls(string cell, string path, int line)
    {
        string text = cell.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        if (text[0] != '[')
        {
            return [.. text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(name => new ExpectedToolCall(name))];
        }

        try
        {
            using JsonDocument doc = JsonDocument.Parse(text);
            return ToolCalls(doc.RootElement, path, line);
        }
        catch (JsonException e)
        {
            throw new EvaluationDatasetException($"{path}:{line}: the '{ToolCallsField}' cell is not a valid JSON array ({e.Message}). Write a JSON array of {{\"name\", \"arguments\"}} objects (quote the cell and double its quotes), or function names separated by ';'.", e);
        }
    }

    private static async Task<string[]> ReadLinesAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EvaluationDatasetException($"The dataset '{path}' cannot be read ({e.Message}). Check the path.", e);
        }
    }

    private static List<string> Strings(JsonElement root, string single, string plural, string path, int line)
    {
        var values = new List<string>();
        foreach (string name in (ReadOnlySpan<string>)[single, plural])
        {
            if (!root.TryGetProperty(name, out JsonElement e))
            {
                continue;
            }

            if (e.ValueKind == JsonValueKind.String)
            {
                values.Add(e.GetString()!);
            }
            else if (e.ValueKind == JsonValueKind.Array && e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String))
            {
                values.AddRange(e.EnumerateArray().Select(x => x.GetString()!));
            }
            else if (e.ValueKind != JsonValueKind.Null)
            {
                throw new EvaluationDatasetException($"{path}:{line}: \"{name}\" must be a string or an array of strings.");
            }
        }

        return values;
    }

    private static List<(int Line, List<string> Fields)> ParseCsv(string text, string path)
    {
        var rows = new List<(int, List<string>)>();
        var field = new StringBuilder();
        var fields = new List<string>();
        int line = 1;
        int rowLine = 1;
        bool quoted = false;
        bool any = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    any = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    any = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    if (any || field.Length > 0)
                    {
                        fields.Add(field.ToString());
                        rows.Add((rowLine, fields));
                    }

                    fields = [];
                    field.Clear();
                    any = false;
                    line++;
                    rowLine = line;
                    break;
                default:
                    field.Append(c);
                    any = true;
                    break;
            }
        }

        if (quoted)
        {
            throw new EvaluationDatasetException($"{path}:{rowLine}: a quoted field is not closed. Close it with a double quote (write \"\" for a quote inside).");
        }

        if (any || field.Length > 0)
        {
            fields.Add(field.ToString());
            rows.Add((rowLine, fields));
        }

        return rows;
    }
}
