using System.CommandLine;
using System.Globalization;
using LlmOps.Metering;
using LlmOps.PostgreSql;
using LlmOps.Sqlite;
using Spectre.Console;

namespace LlmOps.Cli.Cost;

/// <summary><c>llmops cost report</c>: a ledger summed by model, scope, tenant, feature, prompt or day, as a table, JSON or an HTML report with charts.</summary>
internal static class CostCommand
{
    public static Command Create(CliContext context)
    {
        var cost = new Command("cost", "Cost from a ledger: totals by model, scope or day, and an HTML report with charts.");
        cost.Add(Report(context));
        return cost;
    }

    private static Command Report(CliContext context)
    {
        var ledger = new Option<string>("--ledger")
        {
            Description = $"The ledger: a JSON-lines file of CostRecord objects (one per line, as System.Text.Json writes them with web defaults), '-' for standard input, sqlite:FILE (SqliteCostLedger) or {PostgresSource.Prefix}CONNECTIONSTRING (PostgreSqlCostLedger, e.g. '{PostgresSource.Example}').",
            Required = true,
        };
        var by = new Option<string>("--by")
        {
            Description = "Group by: " + string.Join(", ", CostReport.Dimensions) + ".",
            DefaultValueFactory = _ => "model",
        };
        by.AcceptOnlyFromAmong(CostReport.Dimensions);
        var from = new Option<string?>("--from") { Description = "Start (inclusive): a date (2026-12-01, UTC midnight) or an ISO 8601 timestamp." };
        var to = new Option<string?>("--to") { Description = "End: a date is inclusive (the whole day); a timestamp is exclusive." };
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's records." };
        var model = new Option<string?>("--model") { Description = "Only this model's records (case-insensitive)." };
        var html = new Option<string?>("--html") { Description = "Also write the self-contained HTML report (charts: cost per day, by model, by tenant, cost per request) to this file." };
        var json = new Option<bool>("--json") { Description = "Write JSON for scripts instead of a table." };
        var schema = new Option<string>(PostgresSource.SchemaOptionName)
        {
            Description = PostgresSource.SchemaDescription,
            DefaultValueFactory = _ => PostgreSqlSchema.DefaultSchema,
        };
        var command = new Command("report", "Sum a cost ledger by model, scope, tenant, feature, prompt or day.") { ledger, by, from, to, tenant, model, html, json, schema };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string source = parse.GetValue(ledger)!;
            IReadOnlyList<CostRecord> records;
            if (PostgresSource.Matches(source))
            {
                var (postgres, dataSource, _) = await PostgresSource.OpenAsync(
                    source, parse.GetValue(schema)!, "--ledger", mustExist: true, static (dataSource, schema) => new PostgreSqlCostLedger(dataSource, schema), cancellationToken).ConfigureAwait(false);
                await using (dataSource.ConfigureAwait(false))
                {
                    records = await postgres.QueryAsync(CostLedgerQuery.All, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (source.StartsWith("sqlite:", StringComparison.Ordinal))
            {
                string file = source["sqlite:".Length..];
                CliContext.RequireFile(file, "SQLite ledger");
                records = await new SqliteCostLedger($"Data Source={file}").QueryAsync(CostLedgerQuery.All, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                string text = await context.ReadInputAsync(source, "ledger", cancellationToken).ConfigureAwait(false);
                records = CostLedgerFile.Parse(text, source == "-" ? "stdin" : source);
            }

            DateTimeOffset? start = ParseTime(parse.GetValue(from), "--from", endOfDay: false);
            DateTimeOffset? end = ParseTime(parse.GetValue(to), "--to", endOfDay: true);
            if (start is { } s && end is { } e && e <= s)
            {
                throw new CliException(ExitCodes.UsageError, $"--to ({e:O}) must be after --from ({s:O}).");
            }

            var filter = new CostLedgerQuery { Tenant = parse.GetValue(tenant), Model = parse.GetValue(model) };
            CostReport report = CostReport.Create(records.Where(filter.Matches), parse.GetValue(by)!, start, end);
            if (parse.GetValue(html) is { Length: > 0 } htmlPath)
            {
                string title = $"LlmOps cost report ({(PostgresSource.Matches(source) ? "PostgreSQL" : Path.GetFileName(source))})"; // never the connection string
                await File.WriteAllTextAsync(htmlPath, CostHtmlReport.Render(report, title), cancellationToken).ConfigureAwait(false);
            }

            if (parse.GetValue(json))
            {
                await CliJson.WriteAsync(context, new
                {
                    by = report.By,
                    from = start,
                    to = end,
                    total = report.Total,
                    groups = report.Groups,
                    html = parse.GetValue(html),
                }).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var table = new Table().AddColumn(report.By).AddColumns(
                new TableColumn("Requests").RightAligned(),
                new TableColumn("Attempts").RightAligned(),
                new TableColumn("Input tok").RightAligned(),
                new TableColumn("Output tok").RightAligned(),
                new TableColumn("Cost (USD)").RightAligned(),
                new TableColumn("Share").RightAligned(),
                new TableColumn("Estimated").RightAligned());
            foreach (CostGroup g in report.Groups)
            {
                table.AddRow(Row(g, Markup.Escape(g.Key)));
            }

            table.AddRow(Row(report.Total, "[bold]total[/]"));
            context.Console.Write(table);
            if (report.Total.EstimatedAttempts > 0)
            {
                context.Console.MarkupLine($"{report.Total.EstimatedAttempts} attempts are estimates (tokens counted locally, or the model priced at its tier or not at all).");
            }

            if (parse.GetValue(html) is { Length: > 0 } written)
            {
                context.Console.MarkupLine($"HTML report: {Markup.Escape(Path.GetFullPath(written))}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string[] Row(CostGroup g, string key) =>
    [
        key,
        g.Requests.ToString(CultureInfo.InvariantCulture),
        g.Attempts.ToString(CultureInfo.InvariantCulture),
        (g.InputTokens + g.CachedInputTokens).ToString("N0", CultureInfo.InvariantCulture),
        g.OutputTokens.ToString("N0", CultureInfo.InvariantCulture),
        CostHtmlReport.Money(g.Cost),
        g.Share.ToString("P1", CultureInfo.InvariantCulture),
        g.EstimatedAttempts.ToString(CultureInfo.InvariantCulture),
    ];

    private static DateTimeOffset? ParseTime(string? text, string option, bool endOfDay)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date))
        {
            var midnight = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? midnight.AddDays(1) : midnight;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time))
        {
            return time;
        }

        throw new CliException(ExitCodes.UsageError, $"{option} '{text}' is not a date or time; use 2026-12-01 or 2026-12-01T09:30:00Z.");
    }
}
