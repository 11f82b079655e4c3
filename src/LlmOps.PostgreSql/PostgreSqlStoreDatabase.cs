using Microsoft.Extensions.Options;
using Npgsql;

namespace LlmOps.PostgreSql;

/// <summary>The one <see cref="NpgsqlDataSource"/> (connection pool) that the registered PostgreSQL stores share; disposed with the container.</summary>
internal sealed class PostgreSqlStoreDatabase(IOptions<PostgreSqlStoreOptions> options) : IDisposable, IAsyncDisposable
{
    private readonly Lazy<NpgsqlDataSource> _dataSource = new(() => NpgsqlDataSource.Create(options.Value.ConnectionString!));

    public NpgsqlDataSource DataSource => _dataSource.Value;

    public string Schema => options.Value.Schema;

    public void Dispose()
    {
        if (_dataSource.IsValueCreated) _dataSource.Value.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource.IsValueCreated) await _dataSource.Value.DisposeAsync().ConfigureAwait(false);
    }
}
