using System.Data.Common;

namespace LlmOps.Prompts;

/// <summary>
/// Reads one prompt as the SQL prompt stores (PostgreSQL, SQLite) load it: three result sets, labels
/// (<c>label, version</c>), moves (<c>label, from_version, to_version, moved_by, moved_at</c>) in order, and versions
/// (<c>version, content_hash, content</c>) in order. Kept here so both stores map rows the same way.
/// </summary>
internal static class PromptRecordReader
{
    /// <summary>Reads the three result sets; a version whose content cannot be read is kept in <see cref="PromptRecord.UnreadableVersions"/>.</summary>
    /// <param name="reader">The reader, on the first result set.</param>
    /// <param name="name">The prompt name.</param>
    /// <param name="readTime">Reads a move's time from a column (the engines store it differently).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The record, or <see langword="null"/> when the prompt has no version and no label.</returns>
    public static async Task<PromptRecord?> ReadAsync(DbDataReader reader, string name, Func<DbDataReader, int, DateTimeOffset> readTime, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            labels[reader.GetString(0)] = reader.GetInt32(1);
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var history = new List<PromptLabelMove>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            history.Add(new PromptLabelMove(
                name,
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetInt32(1),
                reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                readTime(reader, 4)));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var versions = new List<PromptTemplate>();
        var unreadable = new Dictionary<int, PromptStoreException>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var version = reader.GetInt32(0);
            try
            {
                versions.Add(PromptTemplateJson.Read(name, version, reader.GetString(1), reader.GetString(2)));
            }
            catch (PromptStoreException ex)
            {
                unreadable[version] = ex;
            }
        }

        return versions.Count == 0 && unreadable.Count == 0 && labels.Count == 0
            ? null
            : new PromptRecord(name, versions, labels, history) { UnreadableVersions = unreadable };
    }
}
