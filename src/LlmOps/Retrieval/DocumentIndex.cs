using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using LlmOps.Metering;
using LlmOps.Telemetry;
using LlmOps.Vectors;
using Microsoft.Extensions.AI;

namespace LlmOps.Retrieval;

/// <summary>
/// The documents a retriever searches: it chunks them, indexes each chunk in a <see cref="Bm25Index"/> and (when it
/// has an embedding generator) a <see cref="FlatVectorIndex"/> (or a <see cref="QuantizedVectorIndex"/>, see
/// <see cref="DocumentIndexOptions.QuantizeVectors"/>), both partitioned by the document's scope.
/// </summary>
/// <remarks>
/// <para>
/// <b>Incremental and idempotent.</b> Ingesting a document whose chunks are unchanged does nothing. Ingesting a
/// changed document replaces its chunks, and only chunks whose content hash is new are embedded; the others reuse
/// their stored vectors. <see cref="Delete"/> removes a document's chunks from both indexes.
/// </para>
/// <para>
/// <b>Batches.</b> One call embeds the new chunks of all its documents in batches of
/// <see cref="DocumentIndexOptions.EmbeddingBatchSize"/>. When embedding fails or is cancelled, no document of the call
/// is changed.
/// </para>
/// <para>
/// <b>Thread safety.</b> Ingestion and deletion are serialised; searches run at any time. A search that runs while a
/// document is being replaced may miss some of that document's chunks.
/// </para>
/// </remarks>
public sealed class DocumentIndex : IDisposable
{
    private readonly DocumentChunker _chunker;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _generator;
    private readonly int _batchSize;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Dictionary<(string? Scope, string Id), DocumentRecord> _documents = [];
    private readonly ConcurrentDictionary<string, DocumentChunk> _chunks = new(StringComparer.Ordinal);
    private readonly Counter<long> _embedded;
    private readonly bool _quantize;
    private VectorIndex? _vectors;
    private QueryVector? _lastQuery;

    /// <summary>Initializes a new instance of the <see cref="DocumentIndex"/> class.</summary>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    /// <param name="embeddingGenerator">
    /// Embeds chunks and queries for dense retrieval (for example the MiniLM generator of
    /// <c>LlmOps.Embeddings.MiniLM</c>); when <see langword="null"/>, the index is lexical only.
    /// </param>
    /// <param name="tokenCounter">Counts tokens for chunking; a new one when <see langword="null"/>.</param>
    /// <param name="timeProvider">Measures embedding and retrieval time; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are invalid (the message lists each problem).</exception>
    public DocumentIndex(
        DocumentIndexOptions? options = null,
        IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null,
        TokenCounter? tokenCounter = null,
        TimeProvider? timeProvider = null)
    {
        options ??= new DocumentIndexOptions();
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _chunker = new DocumentChunker(options.Chunker, tokenCounter);
        Lexical = new Bm25Index(options.Bm25);
        _generator = embeddingGenerator;
        _batchSize = options.EmbeddingBatchSize;
        _quantize = options.QuantizeVectors;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _embedded = LlmOpsTelemetry.Shared.GetOrCreateCounter<long>(GroundingTelemetryNames.ChunksEmbedded, "{chunk}", "Chunks embedded during ingestion.");
    }

    /// <summary>Gets the lexical index of the chunks (keys are chunk keys, partitions are document scopes).</summary>
    public Bm25Index Lexical { get; }

    /// <summary>
    /// Gets the vector index of the chunks, or <see langword="null"/> before the first embedding or without a generator:
    /// a <see cref="FlatVectorIndex"/>, or a <see cref="QuantizedVectorIndex"/> with <see cref="DocumentIndexOptions.QuantizeVectors"/>.
    /// </summary>
    public VectorIndex? Vectors => Volatile.Read(ref _vectors);

    /// <summary>Gets the embedding generator, or <see langword="null"/> for a lexical-only index.</summary>
    public IEmbeddingGenerator<string, Embedding<float>>? EmbeddingGenerator => _generator;

    /// <summary>Gets the time provider.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the number of chunks in all scopes.</summary>
    public int ChunkCount => _chunks.Count;

    /// <summary>Gets the number of documents in all scopes.</summary>
    public int DocumentCount
    {
        get
        {
            _writeGate.Wait();
            try
            {
                return _documents.Count;
            }
            finally
            {
                _writeGate.Release();
            }
        }
    }

    /// <summary>Ingests one document (see <see cref="IngestAsync(IEnumerable{RetrievalDocument}, CancellationToken)"/>).</summary>
    /// <param name="document">The document.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>What was done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="document"/> is <see langword="null"/>.</exception>
    public Task<IngestionResult> IngestAsync(RetrievalDocument document, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        return IngestAsync([document], cancellationToken);
    }

    /// <summary>
    /// Adds or replaces documents. A document with the same id and scope as an ingested one replaces it; within one
    /// call, the last of several documents with the same id and scope wins.
    /// </summary>
    /// <param name="documents">The documents.</param>
    /// <param name="cancellationToken">The cancellation token; checked between embedding batches.</param>
    /// <returns>What was done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="documents"/> or one of its items is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The embedding generator returned the wrong number of embeddings or vectors of another dimension.</exception>
    public async Task<IngestionResult> IngestAsync(IEnumerable<RetrievalDocument> documents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var latest = new Dictionary<(string?, string), RetrievalDocument>();
        foreach (RetrievalDocument? document in documents)
        {
            ArgumentNullException.ThrowIfNull(document, nameof(documents));
            latest[(document.Scope, document.Id)] = document;
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int added = 0, updated = 0, unchanged = 0, reused = 0, removed = 0;
            var plans = new List<Plan>(latest.Count);
            var pending = new List<(Plan Plan, int Chunk)>();
            foreach (RetrievalDocument document in latest.Values)
            {
                IReadOnlyList<DocumentChunk> chunks = _chunker.Chunk(document);
                _documents.TryGetValue((document.Scope, document.Id), out DocumentRecord? old);
                if (old is not null && SameHashes(old, chunks))
                {
                    unchanged++;
                    continue;
                }

                var plan = new Plan(document, chunks, old, _generator is null ? [] : new float[]?[chunks.Count]);
                plans.Add(plan);
                if (_generator is not null)
                {
                    for (int i = 0; i < chunks.Count; i++)
                    {
                        if (TryReuse(old, chunks[i].ContentHash) is float[] vector)
                        {
                            plan.Vectors[i] = vector;
                            reused++;
                        }
                        else
                        {
                            pending.Add((plan, i));
                        }
                    }
                }
            }

            TimeSpan embeddingTime = await EmbedAsync(pending, cancellationToken).ConfigureAwait(false);
            foreach (Plan plan in plans)
            {
                if (plan.Old is null)
                {
                    added++;
                }
                else
                {
                    updated++;
                    removed += plan.Old.Keys.Length;
                }

                Apply(plan);
            }

            return new IngestionResult(added, updated, unchanged, pending.Count, reused, removed, embeddingTime);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Removes a document and its chunks.</summary>
    /// <param name="documentId">The document id.</param>
    /// <param name="scope">The document's scope; <see langword="null"/> for the unscoped partition.</param>
    /// <returns><see langword="true"/> when the document was there.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="documentId"/> is <see langword="null"/>.</exception>
    public bool Delete(string documentId, string? scope)
    {
        ArgumentNullException.ThrowIfNull(documentId);
        _writeGate.Wait();
        try
        {
            if (!_documents.Remove((scope, documentId), out DocumentRecord? record))
            {
                return false;
            }

            RemoveChunks(record, scope);
            return true;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Returns a document's chunks in order, or an empty list when it is not in the index.</summary>
    /// <param name="documentId">The document id.</param>
    /// <param name="scope">The document's scope.</param>
    /// <returns>The chunks.</returns>
    public IReadOnlyList<DocumentChunk> GetChunks(string documentId, string? scope)
    {
        ArgumentNullException.ThrowIfNull(documentId);
        _writeGate.Wait();
        try
        {
            if (!_documents.TryGetValue((scope, documentId), out DocumentRecord? record))
            {
                return [];
            }

            var chunks = new List<DocumentChunk>(record.Keys.Length);
            foreach (string key in record.Keys)
            {
                if (_chunks.TryGetValue(key, out DocumentChunk? chunk))
                {
                    chunks.Add(chunk);
                }
            }

            return chunks;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Lexical.Dispose();
        _vectors?.Dispose();
        _writeGate.Dispose();
    }

    internal bool TryGetChunk(string key, out DocumentChunk chunk) => _chunks.TryGetValue(key, out chunk!);

    /// <summary>Copies a chunk's stored embedding into <paramref name="destination"/>; false when it has none.</summary>
    internal bool TryGetVector(DocumentChunk chunk, Span<float> destination) =>
        Vectors is { } vectors && destination.Length == vectors.Dimensions
        && vectors.TryGetVector(chunk.IndexKey, destination);

    /// <summary>
    /// Embeds a query with the index's generator. The last query's vector is kept, so the grounding stage's
    /// sufficiency check does not embed the question a second time after dense or hybrid retrieval.
    /// </summary>
    internal async Task<float[]> EmbedQueryAsync(string text, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _lastQuery) is { } last && string.Equals(last.Text, text, StringComparison.Ordinal))
        {
            return last.Vector;
        }

        Embedding<float> embedding = await _generator!.GenerateAsync(text, null, cancellationToken).ConfigureAwait(false);
        float[] vector = embedding.Vector.ToArray();
        Volatile.Write(ref _lastQuery, new QueryVector(text, vector));
        return vector;
    }

    internal static string ChunkKey(string? scope, string documentId, int index) =>
        scope is null ? $"~|{documentId}#{index}" : $"{scope.Length}:{scope}|{documentId}#{index}";

    private static bool SameHashes(DocumentRecord old, IReadOnlyList<DocumentChunk> chunks)
    {
        if (old.Hashes.Length != chunks.Count)
        {
            return false;
        }

        for (int i = 0; i < chunks.Count; i++)
        {
            if (old.Hashes[i] != chunks[i].ContentHash)
            {
                return false;
            }
        }

        return true;
    }

    private float[]? TryReuse(DocumentRecord? old, string hash)
    {
        VectorIndex? vectors = _vectors;
        if (old is null || vectors is null)
        {
            return null;
        }

        int i = Array.IndexOf(old.Hashes, hash);
        if (i < 0)
        {
            return null;
        }

        var vector = new float[vectors.Dimensions];
        return vectors.TryGetVector(old.Keys[i], vector) ? vector : null;
    }

    private async Task<TimeSpan> EmbedAsync(List<(Plan Plan, int Chunk)> pending, CancellationToken cancellationToken)
    {
        if (pending.Count == 0 || _generator is null)
        {
            return TimeSpan.Zero;
        }

        long started = TimeProvider.GetTimestamp();
        var texts = new List<string>(_batchSize);
        for (int start = 0; start < pending.Count; start += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(_batchSize, pending.Count - start);
            texts.Clear();
            for (int i = start; i < start + count; i++)
            {
                (Plan plan, int chunk) = pending[i];
                texts.Add(plan.Chunks[chunk].IndexText);
            }

            GeneratedEmbeddings<Embedding<float>> embeddings = await _generator.GenerateAsync(texts, null, cancellationToken).ConfigureAwait(false);
            if (embeddings.Count != count)
            {
                throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} embeddings for {count} inputs; it must return one per input.");
            }

            for (int i = 0; i < count; i++)
            {
                (Plan plan, int chunk) = pending[start + i];
                plan.Vectors[chunk] = embeddings[i].Vector.ToArray();
            }
        }

        _embedded.Add(pending.Count);
        return TimeProvider.GetElapsedTime(started);
    }

    private void Apply(Plan plan)
    {
        RetrievalDocument document = plan.Document;
        if (plan.Old is not null)
        {
            RemoveChunks(plan.Old, document.Scope);
        }

        VectorIndex? vectors = plan.Vectors.Length > 0 && plan.Vectors[0] is float[] first ? EnsureVectors(first.Length) : null;
        var keys = new string[plan.Chunks.Count];
        var hashes = new string[plan.Chunks.Count];
        for (int i = 0; i < plan.Chunks.Count; i++)
        {
            DocumentChunk chunk = plan.Chunks[i];
            string key = ChunkKey(document.Scope, document.Id, i);
            keys[i] = key;
            hashes[i] = chunk.ContentHash;
            _chunks[key] = chunk;
            Lexical.Upsert(key, chunk.IndexText, document.Scope);
            if (vectors is not null)
            {
                vectors.Upsert(key, plan.Vectors[i], document.Scope);
            }
        }

        _documents[(document.Scope, document.Id)] = new DocumentRecord(keys, hashes);
    }

    private VectorIndex EnsureVectors(int dimensions)
    {
        if (_vectors is null)
        {
            Volatile.Write(ref _vectors, _quantize ? new QuantizedVectorIndex(dimensions) : new FlatVectorIndex(dimensions));
        }
        else if (_vectors.Dimensions != dimensions)
        {
            throw new InvalidOperationException(
                $"The embedding generator returned {dimensions}-dimensional vectors, but the index holds {_vectors.Dimensions}-dimensional ones. Use one embedding model per DocumentIndex.");
        }

        return _vectors;
    }

    private void RemoveChunks(DocumentRecord record, string? scope)
    {
        foreach (string key in record.Keys)
        {
            Lexical.Remove(key, scope);
            _vectors?.Remove(key);
            _chunks.TryRemove(key, out _);
        }
    }

    private sealed record QueryVector(string Text, float[] Vector);

    private sealed record DocumentRecord(string[] Keys, string[] Hashes);

    private sealed record Plan(RetrievalDocument Document, IReadOnlyList<DocumentChunk> Chunks, DocumentRecord? Old, float[]?[] Vectors);
}
