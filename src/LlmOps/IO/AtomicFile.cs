namespace LlmOps.IO;

/// <summary>
/// The one way the library saves a file so that a crash or an error never leaves a half-written one: the content goes
/// to a temporary file in the same folder (so the rename stays on one volume), is flushed to disk, and is then renamed
/// over the target. On any failure the temporary file is deleted and the original exception rethrown; the target keeps
/// its previous content. Used by the vector and BM25 indexes, the prompt folder, test cassettes and evaluation runs.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes a file atomically with a synchronous writer.</summary>
    /// <param name="path">The target file.</param>
    /// <param name="write">Writes the content to the stream it is given.</param>
    /// <param name="overwrite"><see langword="false"/> to fail with <see cref="IOException"/> when the target exists.</param>
    /// <param name="beforeCommit">Called with the temporary file's path just before the rename (tests inject failures here).</param>
    /// <param name="deleteFailed">Called when the temporary file could not be deleted after a failure (the caller logs it).</param>
    public static void Write(string path, Action<Stream> write, bool overwrite = true, Action<string>? beforeCommit = null, Action<string, Exception>? deleteFailed = null)
    {
        string temp = TempPath(path, out string full);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            beforeCommit?.Invoke(temp);
            File.Move(temp, full, overwrite);
        }
        catch
        {
            TryDelete(temp, deleteFailed);
            throw;
        }
    }

    /// <summary>Writes a file atomically with an asynchronous writer.</summary>
    /// <param name="path">The target file.</param>
    /// <param name="write">Writes the content to the stream it is given.</param>
    /// <param name="cancellationToken">Cancels the write; the target is then unchanged.</param>
    /// <param name="overwrite"><see langword="false"/> to fail with <see cref="IOException"/> when the target exists.</param>
    /// <param name="beforeCommit">Called with the temporary file's path just before the rename (tests inject failures here).</param>
    /// <param name="deleteFailed">Called when the temporary file could not be deleted after a failure (the caller logs it).</param>
    public static async Task WriteAsync(
        string path,
        Func<Stream, CancellationToken, Task> write,
        CancellationToken cancellationToken,
        bool overwrite = true,
        Action<string>? beforeCommit = null,
        Action<string, Exception>? deleteFailed = null)
    {
        string temp = TempPath(path, out string full);
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 14, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            beforeCommit?.Invoke(temp);
            File.Move(temp, full, overwrite);
        }
        catch
        {
            TryDelete(temp, deleteFailed);
            throw;
        }
    }

    private static string TempPath(string path, out string full)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!; // must exist: a missing folder is the caller's error to report

        // Hidden (leading dot) and unique, so that folder scans skip it and concurrent saves never share one.
        return Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>Deletes a temporary file; a failure goes to <paramref name="deleteFailed"/>, never to the caller.</summary>
    internal static void TryDelete(string temp, Action<string, Exception>? deleteFailed)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The save's own exception matters more than a leftover temporary file; the caller may log this one.
            deleteFailed?.Invoke(temp, ex);
        }
    }
}
