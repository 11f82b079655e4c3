using LlmOps.PostgreSql;
using LlmOps.Prompts;
using LlmOps.Sqlite;

namespace LlmOps.Cli.Prompts;

/// <summary>
/// The prompt store a command works on (a folder, <c>sqlite:FILE</c> or <c>postgres:CONNECTIONSTRING</c>), its registry,
/// and how to name it in messages.
/// </summary>
internal sealed class PromptSource : IAsyncDisposable
{
    public const string SqlitePrefix = "sqlite:";

    private readonly IAsyncDisposable[] _owned;

    private PromptSource(IPromptStore store, string description, CliContext context, params IAsyncDisposable[] owned)
    {
        Registry = new PromptRegistry(store, new PromptRegistryOptions { RefreshInterval = TimeSpan.Zero }, context.Time);
        Description = description;
        _owned = owned;
    }

    /// <summary>Gets the registry over the store (no caching: every read sees the store).</summary>
    public PromptRegistry Registry { get; }

    /// <summary>Gets where the prompts live, for messages ("/path/prompts", "the SQLite file llmops.db", "PostgreSQL at host:5432 ...").</summary>
    public string Description { get; }

    /// <summary>Opens the store named by <paramref name="spec"/>.</summary>
    /// <param name="spec">A folder, <c>sqlite:FILE</c> or <c>postgres:CONNECTIONSTRING</c>.</param>
    /// <param name="schema">The schema, for PostgreSQL.</param>
    /// <param name="context">The command context (its clock).</param>
    /// <param name="mustExist">Whether a missing folder, file or schema is an error (reads) rather than created (push).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The source; dispose it when the command ends.</returns>
    /// <exception cref="CliException">The store does not exist or cannot be reached.</exception>
    public static async Task<PromptSource> OpenAsync(string spec, string schema, CliContext context, bool mustExist, CancellationToken cancellationToken)
    {
        if (PostgresSource.Matches(spec))
        {
            var (store, dataSource, description) = await PostgresSource.OpenAsync(
                spec, schema, "--store", mustExist, static (dataSource, schema) => new PostgreSqlPromptStore(dataSource, schema), cancellationToken).ConfigureAwait(false);
            return new PromptSource(store, description, context, store, dataSource);
        }

        if (spec.StartsWith(SqlitePrefix, StringComparison.Ordinal))
        {
            string file = spec[SqlitePrefix.Length..];
            if (mustExist)
            {
                CliContext.RequireFile(file, "SQLite prompt store");
            }

            return new PromptSource(new SqlitePromptStore($"Data Source={file}"), $"the SQLite file {file}", context);
        }

        if (mustExist && !Directory.Exists(spec))
        {
            throw new CliException(ExitCodes.InputError, $"the prompt folder '{spec}' does not exist (looked in {Path.GetFullPath(spec)}). Pass --store DIR or set ${PromptsCommand.StoreVariable}; 'llmops prompts push' creates it.");
        }

        var files = new FilePromptStore(spec);
        return new PromptSource(files, files.Directory, context);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (IAsyncDisposable owned in _owned)
        {
            await owned.DisposeAsync().ConfigureAwait(false);
        }
    }
}
