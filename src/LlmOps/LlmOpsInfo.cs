using System.Collections;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using LlmOps.Caching;
using LlmOps.Guardrails;
using LlmOps.Metering;
using LlmOps.Prompts;
using LlmOps.Retrieval;
using LlmOps.Routing;

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
/// them on its metrics and span. The standard stages' own tags (guardrail action, prompt name and version, grounded,
/// cache status and tier, model tier) are computed from the facts those stages record when the tags are read; a tag
/// added with <see cref="AddTag"/> replaces such a computed tag of the same name, as a later write replaces an earlier
/// one. The type is thread-safe. The facts of the standard stages (<c>GuardrailReport</c>,
/// <c>PromptProvenance</c>, <c>GroundingResult</c>, <c>SemanticCacheResult</c>, <c>RoutingInfo</c>, <c>CostRecord</c>)
/// have a slot each, read and written without a lock; tags and other features share one small array (a request records
/// a handful, so a linear search beats hashing), created on first use and guarded by a spin lock held for a few
/// instructions (never while user code runs).
/// </para>
/// </remarks>
public sealed class LlmOpsInfo
{
    // The size of a new entries array: the most entries a request of this process has recorded (capped), so a pipeline
    // that records a dozen entries allocates its array once, at its exact size, instead of growing it 4 -> 8 -> 16.
    private const int MaxInitialCapacity = 32;
    private static int s_initialCapacity = 4;

    // The names of the standard tags, by bit of StandardTags.
    private static readonly string[] StandardNames =
    [
        GuardrailsTelemetryNames.ActionAttribute,
        PromptsTelemetryNames.PromptNameAttribute,
        PromptsTelemetryNames.PromptVersionAttribute,
        PromptsTelemetryNames.PromptLabelAttribute,
        PromptsTelemetryNames.PromptExperimentAttribute,
        PromptsTelemetryNames.PromptVariantAttribute,
        GroundingTelemetryNames.GroundedAttribute,
        CachingTelemetryNames.Status,
        CachingTelemetryNames.Tier,
        MeteringTelemetryNames.ModelTierAttribute,
    ];

    private static readonly object?[] BoxedVersions = new object?[256];

    // Two things in 16 bits (the object's small fields fit in 8 bytes, so the info is 104 B, not 112 or 120):
    // - bit 15, a spin lock instead of a Lock object: a request's info is touched by one stage at a time, so the lock is
    //   almost never contended, and a Lock per request cost 40 B;
    // - bits 0-9, the standard tags the stages have published (StandardTags): their values are computed from the slots when
    //   read, so a request whose only tags are these allocates no entries array. A published tag is never also an entry:
    //   publishing removes the entry of the same name, AddTag clears the bit (the later write wins, as it did when both
    //   were stored). Written only under the lock (Exit writes them back with the lock bit cleared).
    private const ushort Locked = 0x8000;
    private ushort _state;

    // The standard stages' facts, one slot each (FeatureSlot<T>.Index): every request of a full pipeline records all of
    // them, and a slot costs 8 B and an atomic read or write where an entry cost 16 B and a locked search.
    private const int SlotCount = 6;
    private FeatureSlots _slots;

    // Other features (keyed by their Type) and tags (keyed by name) share one small array: a request records a handful
    // of each, and one array instead of two keeps a standalone stage's request (a cache hit) to one allocation here.
    private KeyValuePair<object, object?>[]? _entries;
    private ushort _count; // at most ushort.MaxValue entries (Put refuses more)

    // Generated ids: a random 64-bit prefix drawn once per process, then a 64-bit sequence number. Unique within the
    // process by the counter and across processes and instances by the prefix (two processes share a prefix with
    // probability 2^-64), without a Guid per request: Guid.NewGuid() was the largest single cost of a request.
    private static readonly ulong ProcessPrefix = CreateProcessPrefix();
    private static long s_sequence;

    // Each thread takes sequence numbers from a block of its own (one interlocked add per block, not per request): the
    // numbers stay unique in the process and increase on each thread, though not across threads.
    private const int SequenceBlock = 1024;

    [ThreadStatic]
    private static ulong t_next;

    [ThreadStatic]
    private static ulong t_end;

    private readonly ulong _sequence;
    private string? _requestId;
    private int _meteredAttempts;

    /// <summary>Initializes a new instance of the <see cref="LlmOpsInfo"/> class.</summary>
    /// <param name="requestId">The request id; a new one is generated when <see langword="null"/> or empty.</param>
    public LlmOpsInfo(string? requestId = null)
    {
        if (string.IsNullOrEmpty(requestId))
        {
            _sequence = NextSequence();
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
    /// of a sequence number, unique in the process, that increases with every request a thread starts (threads draw
    /// numbers in blocks, so ids from different threads interleave). Generated ids are unique across processes and
    /// instances (the prefix is random) and are formatted on first read.
    /// </value>
    public string RequestId => _requestId ?? FormatRequestId();

    /// <summary>Gets or sets the id of the model that produced the answer, when known.</summary>
    public string? ModelId { get; set; }

    /// <summary>Gets the telemetry tags recorded by the stages, by tag name.</summary>
    /// <remarks>A live, thread-safe view (a new one on each read: the info keeps no field for it); enumerating it enumerates a snapshot.</remarks>
    public IReadOnlyDictionary<string, object?> Tags => new TagView(this);

    /// <summary>Gets a snapshot of the features recorded so far (in no particular order).</summary>
    public IEnumerable<object> Features
    {
        get
        {
            var slotted = new List<object>(SlotCount);
            for (var i = 0; i < SlotCount; i++)
            {
                if (Volatile.Read(ref _slots[i]) is { } feature)
                {
                    slotted.Add(feature);
                }
            }

            Enter();
            try
            {
                var values = new object[slotted.Count + _count - StoredTagCount()];
                slotted.CopyTo(values);
                var next = slotted.Count;
                for (var i = 0; i < _count; i++)
                {
                    if (_entries![i].Key is Type)
                    {
                        values[next++] = _entries[i].Value!;
                    }
                }

                return values;
            }
            finally
            {
                Exit();
            }
        }
    }

    /// <summary>Stores a typed feature, replacing any earlier one of the same type.</summary>
    /// <typeparam name="T">The feature type; each concern owns its own.</typeparam>
    /// <param name="feature">The feature.</param>
    /// <exception cref="ArgumentNullException"><paramref name="feature"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Replacing a standard stage's fact keeps the telemetry tags that stage recorded from it (their values are kept as
    /// they were); only the stage itself updates its tags.
    /// </remarks>
    public void Set<T>(T feature)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(feature);
        if (FeatureSlot<T>.Index is var slot and >= 0)
        {
            if (((StandardTags)Volatile.Read(ref _state) & TagsOfSlot(slot)) != StandardTags.None)
            {
                // Tags computed from the fact being replaced keep the values they had (read without the lock: a caller
                // racing the stage that publishes them gets either order, as it would under the lock).
                SetWithTags(feature, StandardTags.None);
                return;
            }

            Volatile.Write(ref _slots[slot], (object)feature);
            return;
        }

        Enter();
        try
        {
            Put(IndexOfFeature(typeof(T)), typeof(T), feature);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Gets a typed feature, or <see langword="null"/> when no stage recorded one.</summary>
    /// <typeparam name="T">The feature type.</typeparam>
    /// <returns>The feature or <see langword="null"/>.</returns>
    public T? Get<T>()
        where T : class
    {
        if (FeatureSlot<T>.Index is var slot and >= 0)
        {
            return (T?)Volatile.Read(ref _slots[slot]);
        }

        Enter();
        try
        {
            var index = IndexOfFeature(typeof(T));
            return index >= 0 ? (T)_entries![index].Value! : null;
        }
        finally
        {
            Exit();
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
        if (Get<T>() is { } existing)
        {
            return existing;
        }

        // The factory runs outside the lock (it is the caller's code); when two threads race, the first instance stored
        // is the one kept and returned to both.
        var value = factory() ?? throw new InvalidOperationException($"The factory for feature {typeof(T).Name} returned null; return an instance.");
        if (FeatureSlot<T>.Index is var slot and >= 0)
        {
            return (T?)Interlocked.CompareExchange(ref _slots[slot], value, null) ?? value;
        }

        Enter();
        try
        {
            var index = IndexOfFeature(typeof(T));
            if (index >= 0)
            {
                return (T)_entries![index].Value!;
            }

            Put(-1, typeof(T), value);
            return value;
        }
        finally
        {
            Exit();
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
        Enter();
        try
        {
            if (Derived != StandardTags.None)
            {
                Derived &= ~TagOf(name);
            }

            PutTag(name, value);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Stores a standard stage's fact (a type with a slot) and publishes the <paramref name="tags"/> computed from it,
    /// replacing any stored tag of the same names. Tags computed from the fact this one replaces that are not published
    /// again keep the values they had (they become stored tags).
    /// </summary>
    internal void SetWithTags<T>(T feature, StandardTags tags)
        where T : class
    {
        var slot = FeatureSlot<T>.Index;
        Debug.Assert(slot >= 0 && (tags & ~TagsOfSlot(slot)) == 0, "Only a slot's own tags are computed from it.");
        Enter();
        try
        {
            var kept = Derived & TagsOfSlot(slot) & ~tags;
            if (kept != StandardTags.None)
            {
                StoreDerived(kept);
            }

            Volatile.Write(ref _slots[slot], (object)feature);
            Publish(tags);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Publishes standard <paramref name="tags"/> whose fact is already stored (and changes in place, as the guardrail
    /// report does), replacing any stored tag of the same names.
    /// </summary>
    internal void PublishTags(StandardTags tags)
    {
        Enter();
        try
        {
            Publish(tags);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>
    /// Replaces the fact <paramref name="shared"/> (an instance shared by requests) with <paramref name="replacement"/>,
    /// unless another one replaced it first; returns the fact stored. Published tags stay computed (from the new fact).
    /// </summary>
    internal T ReplaceShared<T>(T shared, T replacement)
        where T : class
    {
        var slot = FeatureSlot<T>.Index;
        Debug.Assert(slot >= 0, "Only a slot's fact is replaced in place.");
        var current = Interlocked.CompareExchange(ref _slots[slot], replacement, shared);
        return ReferenceEquals(current, shared) ? replacement : (T)current!;
    }

    /// <summary>Numbers the provider attempts the metering stage sees for this request: 1, 2, 3, … (thread-safe).</summary>
    internal int NextMeteredAttempt() => Interlocked.Increment(ref _meteredAttempts);

    /// <summary>Reads one tag without the <see cref="Tags"/> view (stages' hot path).</summary>
    internal bool TryGetTag(string name, out object? value)
    {
        Enter();
        try
        {
            var index = IndexOfTag(name);
            if (index >= 0)
            {
                value = _entries![index].Value;
                return true;
            }

            if (Derived != StandardTags.None && (Derived & TagOf(name)) is var tag and not StandardTags.None)
            {
                value = Derive(tag);
                return true;
            }

            value = null;
            return false;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Reads two tags under one lock (a missing tag reads as <see langword="null"/>); the metering stage's hot path.</summary>
    internal void ReadTags(string first, string second, out object? firstValue, out object? secondValue)
    {
        firstValue = secondValue = null;
        Enter();
        try
        {
            // A name is either published or stored, never both.
            if (Derived != StandardTags.None)
            {
                firstValue = DeriveIfPublished(first);
                secondValue = DeriveIfPublished(second);
            }

            for (var i = 0; i < _count; i++)
            {
                if (_entries![i].Key is not string key)
                {
                    continue;
                }

                if (string.Equals(key, first, StringComparison.Ordinal))
                {
                    firstValue = _entries[i].Value;
                }
                else if (string.Equals(key, second, StringComparison.Ordinal))
                {
                    secondValue = _entries[i].Value;
                }
            }
        }
        finally
        {
            Exit();
        }
    }

    private static ulong CreateProcessPrefix()
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    private static ulong NextSequence()
    {
        if (t_next == t_end)
        {
            t_end = (ulong)Interlocked.Add(ref s_sequence, SequenceBlock) + 1;
            t_next = t_end - SequenceBlock;
        }

        return t_next++;
    }

    /// <summary>Gets the sequence number of a generated request id, or 0 when the id was given to the constructor.</summary>
    internal ulong GeneratedSequence => _sequence;

    /// <summary>Formats the generated request id with sequence number <paramref name="sequence"/> (<see cref="RequestId"/>'s format).</summary>
    internal static string FormatGeneratedId(ulong sequence)
        => string.Create(32, sequence, static (span, sequence) =>
        {
            ProcessPrefix.TryFormat(span[..16], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
            sequence.TryFormat(span[16..], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
        });

    /// <summary>Reads the sequence number back from a request id this process generated; false for any other text.</summary>
    internal static bool TryParseGeneratedId(string id, out ulong sequence)
    {
        sequence = 0;
        return id.Length == 32
            && ulong.TryParse(id.AsSpan(0, 16), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var prefix)
            && prefix == ProcessPrefix
            && IsLowerHex(id.AsSpan(16))
            && ulong.TryParse(id.AsSpan(16), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out sequence)
            && sequence != 0
            && IsLowerHex(id.AsSpan(0, 16));

        static bool IsLowerHex(ReadOnlySpan<char> digits) => !digits.ContainsAnyInRange('A', 'F');
    }

    private string FormatRequestId()
    {
        var id = FormatGeneratedId(_sequence);

        // Readers racing on the first read all get the first string stored.
        return Interlocked.CompareExchange(ref _requestId, id, null) ?? id;
    }

    /// <summary>
    /// Copies the recorded tags into <paramref name="destination"/> from <paramref name="start"/> without allocating;
    /// returns the index after the last tag written, or -1 when they do not fit (the caller then takes a snapshot).
    /// </summary>
    internal int CopyTagsTo(Span<KeyValuePair<string, object?>> destination, int start)
    {
        Enter();
        try
        {
            if (start + TagCount > destination.Length)
            {
                return -1;
            }

            var next = CopyDerivedTo(destination, start);
            for (var i = 0; i < _count; i++)
            {
                if (_entries![i].Key is string name)
                {
                    destination[next++] = new(name, _entries[i].Value);
                }
            }

            return next;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Gets or sets the published standard tags (under the lock).</summary>
    private StandardTags Derived
    {
        get => (StandardTags)(_state & ~Locked);
        set => _state = (ushort)(Locked | (ushort)value);
    }

    /// <summary>The number of tags, published and stored (under the lock).</summary>
    private int TagCount => StoredTagCount() + BitOperations.PopCount((uint)Derived);

    /// <summary>The number of tags in the entries (under the lock; a request holds a handful of entries).</summary>
    private int StoredTagCount()
    {
        var tags = 0;
        for (var i = 0; i < _count; i++)
        {
            if (_entries![i].Key is string)
            {
                tags++;
            }
        }

        return tags;
    }

    private void Enter()
    {
        var state = Volatile.Read(ref _state);
        if ((state & Locked) != 0 || Interlocked.CompareExchange(ref _state, (ushort)(state | Locked), state) != state)
        {
            EnterContended();
        }
    }

    private void EnterContended()
    {
        var spinner = default(SpinWait);
        while (true)
        {
            spinner.SpinOnce();
            var state = Volatile.Read(ref _state);
            if ((state & Locked) == 0 && Interlocked.CompareExchange(ref _state, (ushort)(state | Locked), state) == state)
            {
                return;
            }
        }
    }

    // Only the holder changes the tag bits, so writing them back with the lock bit cleared loses no update.
    private void Exit() => Volatile.Write(ref _state, (ushort)(_state & ~Locked));

    /// <summary>Publishes <paramref name="tags"/>, removing stored tags of the same names (under the lock).</summary>
    private void Publish(StandardTags tags)
    {
        if (_count != 0)
        {
            for (var rest = (uint)tags; rest != 0; rest &= rest - 1)
            {
                var index = IndexOfTag(StandardNames[BitOperations.TrailingZeroCount(rest)]);
                if (index >= 0)
                {
                    Array.Copy(_entries!, index + 1, _entries!, index, _count - index - 1);
                    _entries![--_count] = default;
                }
            }
        }

        Derived |= tags;
    }

    /// <summary>Turns published <paramref name="tags"/> into stored ones with their current values (under the lock).</summary>
    private void StoreDerived(StandardTags tags)
    {
        for (var rest = (uint)tags; rest != 0; rest &= rest - 1)
        {
            var tag = (StandardTags)(rest & (0u - rest));
            var value = Derive(tag);
            Derived &= ~tag;
            PutTag(StandardNames[BitOperations.TrailingZeroCount(rest)], value);
        }
    }

    /// <summary>Writes the published tags, in the pipeline's order, from <paramref name="start"/> (under the lock).</summary>
    private int CopyDerivedTo(Span<KeyValuePair<string, object?>> destination, int start)
    {
        var next = start;
        for (var rest = (uint)Derived; rest != 0; rest &= rest - 1)
        {
            var bit = BitOperations.TrailingZeroCount(rest);
            destination[next++] = new(StandardNames[bit], Derive((StandardTags)(1u << bit)));
        }

        return next;
    }

    /// <summary>The value of the published tag <paramref name="name"/>, or <see langword="null"/> (under the lock).</summary>
    private object? DeriveIfPublished(string name)
        => (Derived & TagOf(name)) is var tag and not StandardTags.None ? Derive(tag) : null;

    /// <summary>Computes the value of one published tag from its stage's fact (under the lock).</summary>
    private object? Derive(StandardTags tag)
    {
        switch (tag)
        {
            case StandardTags.GuardrailAction:
                return Slot<GuardrailReport>()?.ActionTag;
            case StandardTags.Grounded:
                return Slot<GroundingResult>()?.GroundedTag;
            case StandardTags.CacheStatus:
                return Slot<SemanticCacheResult>() is { } cache ? CacheMetrics.StatusTag(cache.Status) : null;
            case StandardTags.CacheTier:
                return Slot<SemanticCacheResult>() is { } tiered ? CacheMetrics.TierTag(tiered.Tier) : null;
            case StandardTags.ModelTier:
                return Slot<CostRecord>()?.Tier.Name;
            default:
                var prompt = Slot<PromptProvenance>();
                return prompt is null ? null : tag switch
                {
                    StandardTags.PromptName => prompt.Name,
                    StandardTags.PromptVersion => BoxVersion(prompt.Version),
                    StandardTags.PromptLabel => prompt.Label,
                    StandardTags.PromptExperiment => prompt.Experiment,
                    _ => prompt.Variant,
                };
        }
    }

    private T? Slot<T>()
        where T : class
        => (T?)Volatile.Read(ref _slots[FeatureSlot<T>.Index]);

    /// <summary>A prompt version as the tag's boxed <see cref="int"/>; small versions share one box each, so reads allocate nothing.</summary>
    private static object BoxVersion(int version)
    {
        if ((uint)version >= (uint)BoxedVersions.Length)
        {
            return version;
        }

        // Racing readers may each box the version once; either box is kept, with the same value.
        return BoxedVersions[version] ??= version;
    }

    /// <summary>The standard tag named <paramref name="name"/>, or <see cref="StandardTags.None"/>.</summary>
    private static StandardTags TagOf(string name) => name switch
    {
        GuardrailsTelemetryNames.ActionAttribute => StandardTags.GuardrailAction,
        PromptsTelemetryNames.PromptNameAttribute => StandardTags.PromptName,
        PromptsTelemetryNames.PromptVersionAttribute => StandardTags.PromptVersion,
        PromptsTelemetryNames.PromptLabelAttribute => StandardTags.PromptLabel,
        PromptsTelemetryNames.PromptExperimentAttribute => StandardTags.PromptExperiment,
        PromptsTelemetryNames.PromptVariantAttribute => StandardTags.PromptVariant,
        GroundingTelemetryNames.GroundedAttribute => StandardTags.Grounded,
        CachingTelemetryNames.Status => StandardTags.CacheStatus,
        CachingTelemetryNames.Tier => StandardTags.CacheTier,
        MeteringTelemetryNames.ModelTierAttribute => StandardTags.ModelTier,
        _ => StandardTags.None,
    };

    /// <summary>The standard tags computed from the fact in <paramref name="slot"/>.</summary>
    private static StandardTags TagsOfSlot(int slot) => slot switch
    {
        0 => StandardTags.GuardrailAction,
        1 => StandardTags.PromptName | StandardTags.PromptVersion | StandardTags.PromptLabel | StandardTags.PromptExperiment | StandardTags.PromptVariant,
        2 => StandardTags.Grounded,
        3 => StandardTags.CacheStatus | StandardTags.CacheTier,
        5 => StandardTags.ModelTier,
        _ => StandardTags.None,
    };

    /// <summary>Adds or replaces a tag (under the lock).</summary>
    private void PutTag(string name, object? value) => Put(IndexOfTag(name), name, value);

    /// <summary>Replaces the entry at <paramref name="index"/>, or appends when it is negative (growing by doubling).</summary>
    private void Put(int index, object key, object? value)
    {
        if (index >= 0)
        {
            _entries![index] = new(key, value);
            return;
        }

        _entries ??= new KeyValuePair<object, object?>[Volatile.Read(ref s_initialCapacity)];
        if (_count == _entries.Length)
        {
            if (_count == ushort.MaxValue)
            {
                throw new InvalidOperationException($"A request holds at most {ushort.MaxValue} tags and features; record fewer (tags are for bounded-cardinality telemetry).");
            }

            Array.Resize(ref _entries, Math.Min(_count * 2, ushort.MaxValue));
        }

        _entries[_count++] = new(key, value);

        // Learn the exact count, not the doubled size: a pipeline that records eleven entries then allocates eleven
        // slots (200 B), not sixteen (280 B). Racing writers may lower it by one or two; the next request raises it again.
        if (_count > Volatile.Read(ref s_initialCapacity) && _count <= MaxInitialCapacity)
        {
            Volatile.Write(ref s_initialCapacity, _count);
        }
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

    private static int SlotOf(Type type)
        => type == typeof(GuardrailReport) ? 0
        : type == typeof(PromptProvenance) ? 1
        : type == typeof(GroundingResult) ? 2
        : type == typeof(SemanticCacheResult) ? 3
        : type == typeof(RoutingInfo) ? 4
        : type == typeof(CostRecord) ? 5
        : -1;

    /// <summary>The slot of feature type <typeparamref name="T"/>, or -1 when it has none (computed once per type).</summary>
    private static class FeatureSlot<T>
    {
        public static readonly int Index = SlotOf(typeof(T));
    }

    /// <summary>The standard stages' facts, inline in the info.</summary>
    [InlineArray(SlotCount)]
    private struct FeatureSlots
    {
        private object? _first;
    }

    /// <summary>A thread-safe read-only view of the tags; enumeration works on a snapshot.</summary>
    private sealed class TagView(LlmOpsInfo owner) : IReadOnlyDictionary<string, object?>
    {
        public int Count
        {
            get
            {
                owner.Enter();
                try
                {
                    return owner.TagCount;
                }
                finally
                {
                    owner.Exit();
                }
            }
        }

        public IEnumerable<string> Keys => Snapshot().Select(static p => p.Key);

        public IEnumerable<object?> Values => Snapshot().Select(static p => p.Value);

        public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No stage recorded the tag '{key}'.");

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value) => owner.TryGetTag(key, out value);

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)Snapshot()).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        private KeyValuePair<string, object?>[] Snapshot()
        {
            owner.Enter();
            try
            {
                var tags = new KeyValuePair<string, object?>[owner.TagCount];
                var next = owner.CopyDerivedTo(tags, 0);
                for (var i = 0; i < owner._count; i++)
                {
                    if (owner._entries![i].Key is string name)
                    {
                        tags[next++] = new(name, owner._entries[i].Value);
                    }
                }

                return tags;
            }
            finally
            {
                owner.Exit();
            }
        }
    }
}
