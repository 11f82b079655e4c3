using System.CommandLine;
using System.Globalization;
using LlmOps.PostgreSql;
using LlmOps.Prompts;
using Spectre.Console;

namespace LlmOps.Cli.Prompts;

/// <summary><c>llmops prompts</c>: list, show, diff, push, label, rollback and history against a prompt folder.</summary>
internal static class PromptsCommand
{
    /// <summary>The environment variable that names the default prompt folder.</summary>
    public const string StoreVariable = "LLMOPS_PROMPTS";

    public static Command Create(CliContext context)
    {
        var store = new Option<string>("--store", "-s")
        {
            Description = $"The prompt store: a folder (FilePromptStore: <folder>/<name>/v<N>.prompt.md and labels.yaml), sqlite:FILE (SqlitePromptStore) or {PostgresSource.Prefix}CONNECTIONSTRING (PostgreSqlPromptStore, e.g. '{PostgresSource.Example}'). Default: ${StoreVariable}, else ./prompts.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(StoreVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : "prompts",
            Recursive = true,
        };
        var schema = new Option<string>(PostgresSource.SchemaOptionName)
        {
            Description = PostgresSource.SchemaDescription,
            DefaultValueFactory = _ => PostgreSqlSchema.DefaultSchema,
            Recursive = true,
        };
        var prompts = new Command("prompts", "Versioned prompts: list, show, diff, push, label, rollback and history. Versions are immutable; labels (production, staging) move.");
        prompts.Options.Add(store);
        prompts.Options.Add(schema);
        var options = new PromptsOptions(store, schema);
        prompts.Add(List(context, options));
        prompts.Add(Show(context, options));
        prompts.Add(Diff(context, options));
        prompts.Add(Push(context, options));
        prompts.Add(Label(context, options));
        prompts.Add(Rollback(context, options));
        prompts.Add(History(context, options));
        return prompts;
    }

    private static Option<bool> Json() => new("--json") { Description = "Write JSON for scripts instead of a table." };

    private static Option<string> MovedBy() => new("--by")
    {
        Description = "Who makes the change, for the label history. Default: the user name.",
        DefaultValueFactory = _ => Environment.UserName,
    };

    private static Argument<string> NameArgument() => new("NAME") { Description = "The prompt name." };

    private static Task<PromptSource> OpenAsync(ParseResult parse, PromptsOptions options, CliContext context, CancellationToken cancellationToken, bool mustExist = true) =>
        PromptSource.OpenAsync(parse.GetValue(options.Store)!, parse.GetValue(options.Schema)!, context, mustExist, cancellationToken);

    private static async Task<PromptRecord> LoadAsync(PromptSource source, string name, CancellationToken cancellationToken)
    {
        PromptRecord? record = await source.Registry.Store.LoadAsync(name, cancellationToken).ConfigureAwait(false);
        if (record is null || (record.Versions.Count == 0 && record.UnreadableVersions.Count == 0))
        {
            throw new CliException(ExitCodes.InputError, $"prompt '{name}' is not in {source.Description}. Run 'llmops prompts list' to see the names, or push it with 'llmops prompts push FILE'.");
        }

        return record;
    }

    private static async Task<int> ResolveAsync(PromptRegistry registry, string name, string versionOrLabel, CancellationToken cancellationToken)
    {
        if (int.TryParse(versionOrLabel, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            return number;
        }

        return string.Equals(versionOrLabel, PromptRegistry.LatestLabel, StringComparison.Ordinal)
            ? (await registry.GetAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false)).Version
            : await registry.GetLabelAsync(name, versionOrLabel, cancellationToken).ConfigureAwait(false);
    }

    private static string LabelsOf(PromptRecord record, int version) =>
        string.Join(", ", record.Labels.Where(l => l.Value == version).Select(l => l.Key).Order(StringComparer.Ordinal));

    private static Command List(CliContext context, PromptsOptions options)
    {
        var json = Json();
        var command = new Command("list", "List the prompts with their latest version and labels.") { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using PromptSource source = await OpenAsync(parse, options, context, cancellationToken).ConfigureAwait(false);
            PromptRegistry registry = source.Registry;
            var rows = new List<PromptRecord>();
            foreach (string promptName in await registry.Store.ListNamesAsync(cancellationToken).ConfigureAwait(false))
            {
                PromptRecord? record = await registry.Store.LoadAsync(promptName, cancellationToken).ConfigureAwait(false);
                if (record is not null && (record.Versions.Count > 0 || record.UnreadableVersions.Count > 0))
                {
                    rows.Add(record);
                }
            }

            if (parse.GetValue(json))
            {
                await CliJson.WriteAsync(context, rows.Select(r => new
                {
                    name = r.Name,
                    versions = r.Versions.Select(v => v.Version),
                    latest = r.LatestVersion,
                    labels = r.Labels,
                    unreadable = r.UnreadableVersions.Keys,
                })).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            if (rows.Count == 0)
            {
                context.Console.MarkupLine($"No prompts in [bold]{Markup.Escape(source.Description)}[/]. Add one with 'llmops prompts push FILE'.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("Prompt", "Versions", "Latest", "Labels");
            foreach (PromptRecord r in rows)
            {
                string labels = string.Join(", ", r.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}→{l.Value}"));
                table.AddRow(Markup.Escape(r.Name), r.Versions.Count.ToString(CultureInfo.InvariantCulture), r.LatestVersion.ToString(CultureInfo.InvariantCulture), Markup.Escape(labels));
            }

            context.Console.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(CliContext context, PromptsOptions options)
    {
        var name = NameArgument();
        var at = new Argument<string>("VERSION")
        {
            Description = "A version number or a label (production, staging, latest). Default: latest.",
            DefaultValueFactory = _ => PromptRegistry.LatestLabel,
        };
        var json = Json();
        var command = new Command("show", "Show one version of a prompt as it is stored (front matter and messages).") { name, at, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using PromptSource source = await OpenAsync(parse, options, context, cancellationToken).ConfigureAwait(false);
            PromptRegistry registry = source.Registry;
            string promptName = parse.GetValue(name)!;
            PromptRecord record = await LoadAsync(source, promptName, cancellationToken).ConfigureAwait(false);
            int version = await ResolveAsync(registry, promptName, parse.GetValue(at)!, cancellationToken).ConfigureAwait(false);
            PromptTemplate template = await registry.GetAsync(promptName, version, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await CliJson.WriteAsync(context, new
                {
                    name = template.Name,
                    version = template.Version,
                    hash = template.ContentHash,
                    labels = record.Labels.Where(l => l.Value == version).Select(l => l.Key).Order(StringComparer.Ordinal),
                    settings = template.Settings,
                    metadata = template.Metadata,
                    variables = template.Variables,
                    messages = template.Messages.Select(m => new { role = m.Role.Value, content = m.Content }),
                }).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            string labels = LabelsOf(record, version);
            context.Console.MarkupLine($"[bold]{Markup.Escape(template.ToString())}[/]{(labels.Length > 0 ? $" ({Markup.Escape(labels)})" : string.Empty)}");
            await context.Out.WriteAsync(PromptFileFormat.Write(template)).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Diff(CliContext context, PromptsOptions options)
    {
        var name = NameArgument();
        var from = new Argument<string>("FROM") { Description = "The first version: a number or a label." };
        var to = new Argument<string>("TO")
        {
            Description = "The second version: a number or a label. Default: latest.",
            DefaultValueFactory = _ => PromptRegistry.LatestLabel,
        };
        var json = Json();
        var command = new Command("diff", "Show what changed between two versions (settings, variables and messages), removed lines in red and added lines in green.") { name, from, to, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using PromptSource source = await OpenAsync(parse, options, context, cancellationToken).ConfigureAwait(false);
            PromptRegistry registry = source.Registry;
            string promptName = parse.GetValue(name)!;
            await LoadAsync(source, promptName, cancellationToken).ConfigureAwait(false);
            int a = await ResolveAsync(registry, promptName, parse.GetValue(from)!, cancellationToken).ConfigureAwait(false);
            int b = await ResolveAsync(registry, promptName, parse.GetValue(to)!, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<PromptDiffLine> lines = await registry.DiffAsync(promptName, a, b, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await CliJson.WriteAsync(context, new
                {
                    name = promptName,
                    from = a,
                    to = b,
                    added = lines.Count(l => l.Kind == '+'),
                    removed = lines.Count(l => l.Kind == '-'),
                    lines = lines.Select(l => new { kind = l.Kind.ToString(), text = l.Text }),
                }).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            context.Console.MarkupLine($"[red]--- {Markup.Escape(promptName)}@{a}[/]");
            context.Console.MarkupLine($"[green]+++ {Markup.Escape(promptName)}@{b}[/]");
            foreach (PromptDiffLine line in lines)
            {
                string text = Markup.Escape(line.ToString());
                context.Console.MarkupLine(line.Kind switch
                {
                    '+' => $"[green]{text}[/]",
                    '-' => $"[red]{text}[/]",
                    _ => $"[grey]{text}[/]",
                });
            }

            context.Console.MarkupLine($"{lines.Count(l => l.Kind == '+')} added, {lines.Count(l => l.Kind == '-')} removed.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Push(CliContext context, PromptsOptions options)
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Prompt files in the store's format (YAML front matter with 'name', then 'system:'/'user:' sections); 'version' and 'hash' are ignored.",
            Arity = ArgumentArity.OneOrMore,
        };
        var label = new Option<string?>("--label", "-l") { Description = "Move this label (for example staging) to each pushed version." };
        var by = MovedBy();
        var json = Json();
        var command = new Command("push", "Register prompt files as new versions (content identical to an existing version is not registered again).") { files, label, by, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var drafts = new List<PromptTemplate>();
            foreach (string file in parse.GetValue(files)!)
            {
                string text = await context.ReadInputAsync(file, "prompt file", cancellationToken).ConfigureAwait(false);
                drafts.Add(PromptDraftReader.Read(file, text)); // all files checked before the store is opened
            }

            await using PromptSource source = await OpenAsync(parse, options, context, cancellationToken, mustExist: false).ConfigureAwait(false);
            PromptRegistry registry = source.Registry;

            var results = new List<(PromptTemplate Version, bool Created, PromptLabelMove? Move)>();
            foreach (PromptTemplate draft in drafts)
            {
                PromptRecord? before = await registry.Store.LoadAsync(draft.Name, cancellationToken).ConfigureAwait(false);
                PromptTemplate version = await registry.RegisterAsync(draft, cancellationToken).ConfigureAwait(false);
                bool created = version.Version > (before?.LatestVersion ?? 0);
                PromptLabelMove? move = parse.GetValue(label) is { Length: > 0 } l
                    ? await SetLabelAsync(registry, draft.Name, l, version.Version, parse.GetValue(by), cancellationToken).ConfigureAwait(false)
                    : null;
                results.Add((version, created, move));
            }

            if (parse.GetValue(json))
            {
                await CliJson.WriteAsync(context, results.Select(r => new { name = r.Version.Name, version = r.Version.Version, created = r.Created, label = r.Move?.Label })).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            foreach (var (version, created, move) in results)
            {
                string what = created ? "[green]registered[/]" : "[grey]unchanged (same content as this version)[/]";
                string moved = move is null ? string.Empty : $"; {Markup.Escape(move.Label)} → {move.ToVersion}";
                context.Console.MarkupLine($"{Markup.Escape(version.ToString())} {what}{moved}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Label(CliContext context, PromptsOptions options)
    {
        var name = NameArgument();
        var label = new Argument<string>("LABEL") { Description = "The label to move, for example production." };
        var version = new Argument<string>("VERSION") { Description = "The version to point it at: a number, or another label (e.g. staging)." };
        var by = MovedBy();
        var command = new Command("label", "Move a label to a version (atomic; recorded in the history).") { name, label, version, by };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using PromptSource source = await OpenAsync(parse, options, context, cancellationToken).ConfigureAwait(false);
            PromptRegistry registry = source.Registry;
            string promptName = parse.GetValue(name)!;
            await LoadAsync(source, promptName, cancellationToken).ConfigureAwait(false);
            int number = await ResolveAsync(registry, promptName, parse.GetValue(version)!, cancellationToken).ConfigureAwait(false);
            PromptLabelMove move = await SetLabelAsync(registry, promptName, parse.GetValue(label)!, number, parse.GetValue(by), cancellationToken).ConfigureAwait(false);
            context.Console.MarkupLine($"{Markup.Escape(promptName)}: {Markup.Escape(move.Label)} {(move.FromVersion is int f ? f.ToString(CultureInfo.InvariantCulture) : "(new)")} → [bold]{move.ToVersion}[/]");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Rollback(CliContext context, PromptsOptions options)
    {
        var name = NameArgument();
        var label = new Argument<string>("LABEL") { Description = "The label to roll back, for example production." };
        var by = MovedBy();
        var command = new Command("rollback", "Move a label back to the version it pointed at before its last move.") { name, label, by };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using PromptSource source = await OpenAsync(parse, options, context, cancellationToken).ConfigureAwait(false);
            PromptRegistry registry = source.Registry;
            string promptName = parse.GetValue(name)!;
            string labelName = parse.GetValue(label)!;
            await LoadAsync(source, promptName, cancellationToken).ConfigureAwait(false);
            PromptLabelMove move;
            try
            {
                move = await registry.RollbackAsync(promptName, labelName, parse.GetValue(by), cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                throw new CliException(ExitCodes.InputError, $"label '{labelName}' of prompt '{promptName}' has no earlier version to roll back to. Move it explicitly with 'llmops prompts label {promptName} {labelName} VERSION'.");
            }

            context.Console.MarkupLine($"{Markup.Escape(promptName)}: {Markup.Escape(move.Label)} rolled back {move.FromVersion} → [bold]{move.ToVersion}[/]");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command History(CliContext context, PromptsOptions options)
    {
        var name = NameArgument();
        var label = new Option<string?>("--label", "-l") { Description = "Only this label's moves." };
        var json = Json();
        var command = new Command("history", "Show every label move of a prompt, oldest first: when, which label, from and to which version, and who.") { name, label, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using PromptSource source = await OpenAsync(parse, options, context, cancellationToken).ConfigureAwait(false);
            PromptRegistry registry = source.Registry;
            string promptName = parse.GetValue(name)!;
            PromptRecord record = await LoadAsync(source, promptName, cancellationToken).ConfigureAwait(false);
            string? only = parse.GetValue(label);
            PromptLabelMove[] moves = [.. record.LabelHistory.Where(m => only is null || string.Equals(m.Label, only, StringComparison.Ordinal))];
            if (parse.GetValue(json))
            {
                await CliJson.WriteAsync(context, moves.Select(m => new { at = m.MovedAt, label = m.Label, from = m.FromVersion, to = m.ToVersion, by = m.MovedBy })).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("When (UTC)", "Label", "From", "To", "By");
            foreach (PromptLabelMove m in moves)
            {
                table.AddRow(
                    m.MovedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    Markup.Escape(m.Label),
                    m.FromVersion?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    m.ToVersion.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(m.MovedBy ?? "-"));
            }

            context.Console.Write(table);
            context.Console.MarkupLine($"{moves.Length} moves; current labels: {Markup.Escape(string.Join(", ", record.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}→{l.Value}")))}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<PromptLabelMove> SetLabelAsync(PromptRegistry registry, string name, string label, int version, string? by, CancellationToken cancellationToken)
    {
        try
        {
            return await registry.SetLabelAsync(name, label, version, by, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e) when (e is not ArgumentNullException)
        {
            throw new CliException(ExitCodes.UsageError, $"cannot move label '{label}': {e.Message}");
        }
    }

    private sealed record PromptsOptions(Option<string> Store, Option<string> Schema);
}
