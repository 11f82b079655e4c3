using Npgsql;

namespace LlmOps.PostgreSql;

/// <summary>Runs <see cref="PostgreSqlSchema.MigrateAsync"/> once per store; a failed run is retried by the next caller (the server may be back).</summary>
internal sealed class MigrationGate(NpgsqlDataSource dataSource, string schema)
{
    private readonly Lock _gate = new();
    private Task? _migration;

    public ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        var migration = _migration ?? Start();
        return migration.IsCompletedSuccessfully ? default : WaitAsync(migration, cancellationToken);
    }

    private Task Start()
    {
        lock (_gate)
        {
            return _migration ??= PostgreSqlSchema.MigrateAsync(dataSource, schema, CancellationToken.None);
        }
    }

    private async ValueTask WaitAsync(Task migration, CancellationToken cancellationToken)
    {
        try
        {
            await migration.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (migration.IsFaulted)
        {
            lock (_gate)
            {
                if (ReferenceEquals(_migration, migration)) _migration = null;
            }

            throw;
        }
    }
}
