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
/// them on its metrics and span. The type is thread-safe: one short lock guards small dictionaries that are created
/// on first use, so a request that records little allocates little.
/// </para>
/// </remarks>
public sealed class LlmOpsInfo
{
    private readonly Lock _gate = new();
    private Dictionary<Type, object>? _features;
    private Dictionary<string, object?>? _tags;
    private TagView? _tagView;

    /// <summary>Initializes a new instance of the <see cref="LlmOpsInfo"/> class.</summary>
    /// <param name="requestId">The request id; a new one is generated when <see langword="null"/>.</param>
    public LlmOpsInfo(string? requestId = null)
    {
        RequestId = string.IsNullOrEmpty(requestId) ? Guid.NewGuid().ToString("N") : requestId;
    }

    /// <summary>Gets the id of the request. Provider attempts made for it share this id.</summary>
    public string RequestId { get; }

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
                return _features is null ? [] : [.. _features.Values];
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
            (_features ??= [])[typeof(T)] = feature;
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
            return _features is not null && _features.TryGetValue(typeof(T), out var value) ? (T)value : null;
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
            _features ??= [];
            if (!_features.TryGetValue(typeof(T), out var value))
            {
                // The factory runs under the lock so exactly one instance is ever stored and returned.
                value = factory() ?? throw new InvalidOperationException($"The factory for feature {typeof(T).Name} returned null; return an instance.");
                _features.Add(typeof(T), value);
            }

            return (T)value;
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
            (_tags ??= new Dictionary<string, object?>(StringComparer.Ordinal))[name] = value;
        }
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
                    return owner._tags?.Count ?? 0;
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
                if (owner._tags is not null && owner._tags.TryGetValue(key, out value))
                {
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
                return owner._tags is null ? [] : [.. owner._tags];
            }
        }
    }
}
