using System.Collections.Concurrent;
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
/// them on its metrics and span. The type is thread-safe.
/// </para>
/// </remarks>
public sealed class LlmOpsInfo
{
    private readonly ConcurrentDictionary<Type, object> _features = new();
    private readonly ConcurrentDictionary<string, object?> _tags = new(StringComparer.Ordinal);

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
    public IReadOnlyDictionary<string, object?> Tags => _tags;

    /// <summary>Gets the features recorded so far.</summary>
    public IEnumerable<object> Features => _features.Values;

    /// <summary>Stores a typed feature, replacing any earlier one of the same type.</summary>
    /// <typeparam name="T">The feature type; each concern owns its own.</typeparam>
    /// <param name="feature">The feature.</param>
    /// <exception cref="ArgumentNullException"><paramref name="feature"/> is <see langword="null"/>.</exception>
    public void Set<T>(T feature)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(feature);
        _features[typeof(T)] = feature;
    }

    /// <summary>Gets a typed feature, or <see langword="null"/> when no stage recorded one.</summary>
    /// <typeparam name="T">The feature type.</typeparam>
    /// <returns>The feature or <see langword="null"/>.</returns>
    public T? Get<T>()
        where T : class
        => _features.TryGetValue(typeof(T), out var value) ? (T)value : null;

    /// <summary>Gets a typed feature, creating it with <paramref name="factory"/> when absent.</summary>
    /// <typeparam name="T">The feature type.</typeparam>
    /// <param name="factory">Creates the feature.</param>
    /// <returns>The stored feature.</returns>
    public T GetOrAdd<T>(Func<T> factory)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        return (T)_features.GetOrAdd(typeof(T), static (_, f) => f(), factory);
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
        _tags[name] = value;
    }
}
