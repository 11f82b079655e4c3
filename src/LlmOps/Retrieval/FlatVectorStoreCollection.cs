using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using LlmOps.Vectors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace LlmOps.Retrieval;

/// <summary>
/// The in-memory SIMD vector store (<see cref="FlatVectorIndex"/>: exact cosine top-k, partitioned by scope) as a
/// <c>Microsoft.Extensions.VectorData</c> collection of <see cref="ChunkRecord"/>s.
/// </summary>
/// <remarks>
/// <para>
/// <b>Search filters.</b> <see cref="SearchAsync{TInput}"/> accepts no filter (all scopes) or a scope filter
/// <c>r =&gt; r.Scope == value</c>, which selects the scope's partition before any similarity is computed; other
/// filters throw <see cref="NotSupportedException"/>. <see cref="GetAsync(Expression{Func{ChunkRecord, bool}}, int, FilteredRecordRetrievalOptions{ChunkRecord}, CancellationToken)"/>
/// evaluates any filter in memory.
/// </para>
/// <para>
/// <b>Search input.</b> <see cref="ReadOnlyMemory{T}"/> of float, <c>float[]</c>, <see cref="Embedding{T}"/> of
/// float, or a string when the collection has an embedding generator. Scores are cosine similarities. Records are
/// stored as given (not copied). Thread-safe.
/// </para>
/// </remarks>
public sealed class FlatVectorStoreCollection : VectorStoreCollection<string, ChunkRecord>
{
    private readonly FlatVectorIndex _index;
    private readonly ConcurrentDictionary<string, ChunkRecord> _records = new(StringComparer.Ordinal);
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _generator;
    private readonly VectorStoreCollectionMetadata _metadata;
    private volatile bool _exists;

    /// <summary>Initializes a new instance of the <see cref="FlatVectorStoreCollection"/> class.</summary>
    /// <param name="name">The collection name.</param>
    /// <param name="dimensions">The embedding dimensions.</param>
    /// <param name="embeddingGenerator">Embeds string search inputs; optional.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimensions"/> is less than 1.</exception>
    public FlatVectorStoreCollection(string name, int dimensions = ChunkRecord.DefaultDimensions, IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Name = name;
        _index = new FlatVectorIndex(dimensions);
        _generator = embeddingGenerator;
        _metadata = new VectorStoreCollectionMetadata { VectorStoreSystemName = "llmops.flat", CollectionName = name };
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>Gets the number of records.</summary>
    public int Count => _records.Count;

    /// <inheritdoc/>
    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => Task.FromResult(_exists);

    /// <inheritdoc/>
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default)
    {
        _exists = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default)
    {
        _index.Clear();
        _records.Clear();
        _exists = false;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task<ChunkRecord?> GetAsync(string key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Task.FromResult(_records.GetValueOrDefault(key));
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChunkRecord> GetAsync(
        Expression<Func<ChunkRecord, bool>> filter, int top, FilteredRecordRetrievalOptions<ChunkRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        await Task.CompletedTask.ConfigureAwait(false);
        Func<ChunkRecord, bool> predicate = filter.Compile(preferInterpretation: true);
        int skip = options?.Skip ?? 0;
        int returned = 0;
        foreach (ChunkRecord record in _records.Values.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!predicate(record) || skip-- > 0)
            {
                continue;
            }

            yield return record;
            if (++returned == top)
            {
                yield break;
            }
        }
    }

    /// <inheritdoc/>
    public override Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        _index.Remove(key);
        _records.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The record's key is empty or its embedding has the wrong number of dimensions.</exception>
    public override Task UpsertAsync(ChunkRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(record.Key, nameof(record));
        if (record.Embedding.Length != _index.Dimensions)
        {
            throw new ArgumentException($"ChunkRecord.Embedding of '{record.Key}' has {record.Embedding.Length} dimensions; this collection holds {_index.Dimensions}.", nameof(record));
        }

        _ = _index.Upsert(record.Key, record.Embedding.Span, record.Scope);
        _records[record.Key] = record;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override async Task UpsertAsync(IEnumerable<ChunkRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (ChunkRecord record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await UpsertAsync(record, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The input type or the filter is not supported (see the remarks).</exception>
    public override async IAsyncEnumerable<VectorSearchResult<ChunkRecord>> SearchAsync<TInput>(
        TInput searchValue, int top, VectorSearchOptions<ChunkRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(searchValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        (bool scoped, string? scope) = options?.Filter is { } filter ? ScopeOf(filter) : (false, null);
        ReadOnlyMemory<float> vector = searchValue switch
        {
            ReadOnlyMemory<float> m => m,
            float[] a => a,
            Embedding<float> e => e.Vector,
            string s when _generator is not null => (await _generator.GenerateAsync(s, null, cancellationToken).ConfigureAwait(false)).Vector,
            _ => throw new NotSupportedException(
                $"FlatVectorStoreCollection searches with ReadOnlyMemory<float>, float[] or Embedding<float> (or string with an embedding generator); got {typeof(TInput).Name}."),
        };

        int skip = options?.Skip ?? 0;
        int k = checked(top + skip);
        IReadOnlyList<LlmOps.Vectors.VectorSearchResult> hits = scoped ? _index.Search(vector.Span, k, scope) : _index.SearchAllScopes(vector.Span, k);
        for (int i = skip; i < hits.Count; i++)
        {
            if (options?.ScoreThreshold is double threshold && hits[i].Score < threshold)
            {
                yield break;
            }

            if (_records.TryGetValue(hits[i].Key, out ChunkRecord? record))
            {
                yield return new VectorSearchResult<ChunkRecord>(record, hits[i].Score);
            }
        }
    }

    /// <inheritdoc/>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(VectorStoreCollectionMetadata) ? _metadata
            : serviceType == typeof(FlatVectorIndex) ? _index
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _index.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads the scope of a filter <c>r =&gt; r.Scope == value</c> (either side, value constant or captured).</summary>
    private static (bool Scoped, string? Scope) ScopeOf(Expression<Func<ChunkRecord, bool>> filter)
    {
        if (filter.Body is BinaryExpression { NodeType: ExpressionType.Equal } eq)
        {
            if (IsScopeMember(eq.Left, filter.Parameters[0]) && TryValue(eq.Right, out string? value))
            {
                return (true, value);
            }

            if (IsScopeMember(eq.Right, filter.Parameters[0]) && TryValue(eq.Left, out value))
            {
                return (true, value);
            }
        }

        throw new NotSupportedException(
            $"FlatVectorStoreCollection.SearchAsync supports only a scope filter of the form r => r.Scope == value; got {filter}.");
    }

    private static bool IsScopeMember(Expression e, ParameterExpression parameter) =>
        e is MemberExpression { Member.Name: nameof(ChunkRecord.Scope) } m && m.Expression == parameter;

    private static bool TryValue(Expression e, out string? value)
    {
        switch (e)
        {
            case ConstantExpression c when c.Value is null or string:
                value = (string?)c.Value;
                return true;
            case MemberExpression { Member: FieldInfo field, Expression: ConstantExpression closure } when field.FieldType == typeof(string):
                value = (string?)field.GetValue(closure.Value);
                return true;
            case UnaryExpression { NodeType: ExpressionType.Convert } u:
                return TryValue(u.Operand, out value);
            default:
                value = null;
                return false;
        }
    }
}
