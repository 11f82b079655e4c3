using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace LlmOps.Retrieval;

/// <summary>Writes documents' chunks into any <c>Microsoft.Extensions.VectorData</c> collection of <see cref="ChunkRecord"/>s.</summary>
public static class VectorStoreIngestion
{
    /// <summary>
    /// Chunks the documents, embeds the chunks in batches and upserts them; chunks left over from a longer earlier
    /// version of a document are deleted.
    /// </summary>
    /// <param name="collection">The collection.</param>
    /// <param name="documents">The documents.</param>
    /// <param name="chunker">The chunker.</param>
    /// <param name="embeddingGenerator">The embedding generator.</param>
    /// <param name="batchSize">How many chunks to embed per call.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The number of chunks written.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
    public static async Task<int> UpsertDocumentsAsync(
        this VectorStoreCollection<string, ChunkRecord> collection,
        IEnumerable<RetrievalDocument> documents,
        DocumentChunker chunker,
        IEmbeddingGenerator<string, Embedding<float>> embeddingGenerator,
        int batchSize = DocumentIndexOptions.DefaultEmbeddingBatchSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(collection);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(chunker);
        ArgumentNullException.ThrowIfNull(embeddingGenerator);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int written = 0;
        foreach (RetrievalDocument document in documents)
        {
            ArgumentNullException.ThrowIfNull(document, nameof(documents));
            IReadOnlyList<DocumentChunk> chunks = chunker.Chunk(document);
            var records = new List<ChunkRecord>(chunks.Count);
            for (int start = 0; start < chunks.Count; start += batchSize)
            {
                var batch = chunks.Skip(start).Take(batchSize).ToList();
                GeneratedEmbeddings<Embedding<float>> embeddings = await embeddingGenerator
                    .GenerateAsync(batch.ConvertAll(c => c.IndexText), null, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < batch.Count; i++)
                {
                    records.Add(ChunkRecord.FromChunk(batch[i], embeddings[i].Vector));
                }
            }

            string id = document.Id;
            string? scope = document.Scope;
            var stale = new List<string>();
            await foreach (ChunkRecord old in collection.GetAsync(r => r.DocumentId == id && r.Scope == scope, int.MaxValue, null, cancellationToken).ConfigureAwait(false))
            {
                if (old.ChunkIndex >= chunks.Count)
                {
                    stale.Add(old.Key);
                }
            }

            await collection.UpsertAsync(records, cancellationToken).ConfigureAwait(false);
            if (stale.Count > 0)
            {
                await collection.DeleteAsync(stale, cancellationToken).ConfigureAwait(false);
            }

            written += records.Count;
        }

        return written;
    }
}
