using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace LlmOps;

/// <summary>
/// The facts the pipeline records about one request: which prompt version and variant ran, which
/// model answered, whether the cache hit, what guardrails found, what it cost, and so on.
/// </summary>
/// <remarks>
/// <para>
/// One instance travels down the pipeline inside the (cloned) <see cref="Microsoft.Extensions.AI.ChatOptions"/>
/// and comes back on the response, where callers read it with
/// <see cref="LlmOpsChatResponseExtensions.GetLlmOpsInfo(Microsoft.Extensions.AI.ChatResponse)"/>.
/// </para>
/// <para>
/// Each concern stores its own typed record as a <em>feature</em> (<see cref="Set{T}"/>,
/// <see cref="Get{T}"/>) and exposes a typed accessor for it, such as <c>response.GetCost()</c>.
/// Stages add bounded-cardinality telemetry tags with <see cref="AddTag"/>; the telemetry stage puts
/// them on its metrics and span. The type is thread-safe: one short lock guards one small array (a request records
/// a handful of features and tags, so a linear search beats hashing) that is created on first use.
/// </para>
/// </remarks>
public sealed class LlmOpsInfo
{
    private readonly Lock _gate = new();
    // Features (keyed by their Type) and tags (keyed by name) share one small array: a request records a handful of
    // each, and one array instead of two keeps a standalone stage's request (a cache hit) to one allocation here.
    private KeyValuePair<object, object?>[]? _entries;
    private int _count;
    private int _tagCount;
    private TagView? _tagView;

    // Generated ids: a random 64-bit prefix drawn once per process, then a 64-bit sequence number. Unique within the
    // process by the counter and across processes and instances by the prefix (two processes share a prefix with
    // probability 2^-64), without a Guid per request: Guid.NewGuid() was the largest single cost of a request.
    private static readonly ulong ProcessPrefix = CreateProcessPrefix();
    private static long s_sequence;

    private readonly ulong _sequence;
    private string? _requestId;

    /// <summary>Initializes a new instance of the <see cref="LlmOpsInfo"/> class.</summary>
    /// <param name="requestId">The request id; a new one is generated when <see langword="null"/> or empty.</param>
    public LlmOpsInfo(string? requestId = null)
    {
        if (string.IsNullOrEmpty(requestId))
        {
            _sequence = (ulong)Interlocked.Increment(ref s_sequence);
        }
        else
        {
            _requestId = requestId;
        }
    }

    /// <summary>Gets the id of the request. Provider attempts made for it share this id.</summary>
    /// <value>
    /// The id given to the constructor; otherwise a generated id of 32 lowercase hexadecimal digits (the shape of a
    /// <see cref="Guid"/> formatted with <c>"N"</c>): 16 digits of a random prefix drawn once per process, then 16 digits
    /// of a sequence number that increases with every request of the process. Generated ids are unique across
    /// processes and instances (the prefix is random) and are formatted on first read.
    /// </value>
    public string RequestId => _requestId ?? FormatRequestId();

    /// <summary>Gets or sets the id of the model that produced the answer, when known.</summary>
    public string? ModelId { get; set; }

    /// <summary>Gets the telemetry tags recorded by the stages, by tag name.</summary>
    /// <remarks>A live, thread-safe view; enumerating it enumerates a snapshot.</remarks>
    public IReadOnlyDictionary<string, object?> Tags => _tagView ??= new TagView(this);

    /// <summary>Gets a snapshot of the features recorded so far.</summary>
    public IEnumerable<object> Features
    {
        get
        {
            lock (_gate)
            {
                var values = new object[_count - _tagCount];
                var next = 0;
                for (var i = 0; i < _count; i++)
                {
                    if (_entries![i].Key is Type)
                    {
                        values[next++] = _entries[i].Value!;
                    }
                }

                return values;
            }
        }
    }

    /// <summary>Stores a typed feature, replacing any earlier one of the same type.</summary>
    /// <typeparam name="T">The feature type; each concern owns its own.</typeparam>
    /// <param name="feature">The feature.</param>
    /// <exception cref="ArgumentNullException"><paramref name="feature"/> is <see langword="null"/>.</exception>
    public void Set<T>(T feature)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(feature);
        lock (_gate)
        {
            Put(IndexOfFeature(typeof(T)), typeof(T), feature);
        }
    }

    /// <summary>Gets a typed feature, or <see langword="null"/> when no stage recorded one.</summary>
    /// <typeparam name="T">The feature type.</typeparam>
    /// <returns>The feature or <see langword="null"/>.</returns>
    public T? Get<T>()
        where T : class
    {
        lock (_gate)
        {
            var index = IndexOfFeature(typeof(T));
            return index >= 0 ? (T)_entries![index].Value! : null;
        }
    }

    /// <summary>Gets a typed feature, creating it with <paramref name="factory"/> when absent.</summary>
    /// <typeparam name="T">The feature type.</typeparam>
    /// <param name="factory">Creates the feature.</param>
    /// <returns>The stored feature.</returns>
    public T GetOrAdd<T>(Func<T> factory)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        lock (_gate)
        {
            var index = IndexOfFeature(typeof(T));
            if (index >= 0)
            {
                return (T)_entries![index].Value!;
            }

            // The factory runs under the lock so exactly one instance is ever stored and returned.
            var value = factory() ?? throw new InvalidOperationException($"The factory for feature {typeof(T).Name} returned null; return an instance.");
            Put(-1, typeof(T), value);
            return value;
        }
    }

    /// <summary>Tries to get a typed feature.</summary>
    /// <typeparam name="T">The feature type.</typeparam>
    /// <param name="feature">The feature, when present.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool TryGet<T>([NotNullWhen(true)] out T? feature)
        where T : class
    {
        feature = Get<T>();
        return feature is not null;
    }

    /// <summary>
    /// Adds or replaces a telemetry tag. Use only bounded values (a model id, a prompt name, a tier,
    /// an outcome); never raw user text or user and tenant ids.
    /// </summary>
    /// <param name="name">The tag name, for example <c>llmops.cache.status</c>.</param>
    /// <param name="value">The tag value.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public void AddTag(string name, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            var index = IndexOfTag(name);
            if (index < 0)
            {
                _tagCount++;
            }

            Put(index, name, value);
        }
    }

    private static ulong CreateProcessPrefix()
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    private string FormatRequestId()
    {
        var id = string.Create(32, _sequence, static (span, sequence) =>
        {
            ProcessPrefix.TryFormat(span[..16], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
            sequence.TryFormat(span[16..], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
        });

        // Readers racing on the first read all get the first string stored.
        return Interlocked.CompareExchange(ref _requestId, id, null) ?? id;
    }

    /// <summary>Adds the recorded tags to <paramref name="tags"/> without a snapshot (the telemetry stage's hot path).</summary>
    internal void CopyTagsTo(ref System.Diagnostics.TagList tags)
    {
        lock (_gate)
        {
            for (var i = 0; i < _count; i++)
            {
                if (_entries![i].Key is string name)
                {
                    tags.Add(name, _entries[i].Value);
                }
            }
        }
    }

    /// <summary>Replaces the entry at <paramref name="index"/>, or appends when it is negative (growing by doubling).</summary>
    private void Put(int index, object key, object? value)
    {
        if (index >= 0)
        {
            _entries![index] = new(key, value);
            return;
        }

        _entries ??= new KeyValuePair<object, object?>[4];
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _count * 2);
        }

        _entries[_count++] = new(key, value);
    }

    private int IndexOfFeature(Type type)
    {
        for (var i = 0; i < _count; i++)
        {
            if (ReferenceEquals(_entries![i].Key, type))
            {
                return i;
            }
        }

        return -1;
    }

    private int IndexOfTag(string name)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_entries![i].Key is string key && string.Equals(key, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A thread-safe read-only view of the tags; enumeration works on a snapshot.</summary>
    private sealed class TagView(LlmOpsInfo owner) : IReadOnlyDictionary<string, object?>
    {
        public int Count
        {
            get
            {
                lock (owner._gate)
                {
                    return owner._tagCount;
                }
            }
        }

        public IEnumerable<string> Keys => Snapshot().Select(static p => p.Key);

        public IEnumerable<object?> Values => Snapshot().Select(static p => p.Value);

        public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No stage recorded the tag '{key}'.");

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
        {
            lock (owner._gate)
            {
                var index = owner.IndexOfTag(key);
                if (index >= 0)
                {
                    value = owner._entries![index].Value;
                    return true;
                }
            }

            value = null;
            return false;
        }

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)Snapshot()).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        private KeyValuePair<string, object?>[] Snapshot()
        {
            lock (owner._gate)
            {
                var tags = new KeyValuePair<string, object?>[owner._tagCount];
                var next = 0;
                for (var i = 0; i < owner._count; i++)
                {
                    if (owner._entries![i].Key is string name)
                    {
                        tags[next++] = new(name, owner._entries[i].Value);
                    }
                }

                return tags;
            }
        }
    }
}
