using System.Diagnostics;
using System.Diagnostics.Metrics;
using LlmOps.Telemetry;
using Microsoft.Extensions.AI;

namespace LlmOps.Caching;

/// <summary>
/// Records what the cache did with a request: the <see cref="SemanticCacheResult"/> on its <see cref="LlmOpsInfo"/>,
/// the info's telemetry tags, and the <see cref="CachingTelemetryNames.Requests"/> and
/// <see cref="CachingTelemetryNames.SavedCost"/> counters.
/// </summary>
internal sealed class CacheMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<double> _savedCost;
    private readonly TimeProvider _time;
    private readonly Func<string?, UsageDetails, decimal?>? _estimateSavedCost;
    private SemanticCacheResult? _lastBypass;

    public CacheMetrics(LlmOpsTelemetry telemetry, TimeProvider time, Func<string?, UsageDetails, decimal?>? estimateSavedCost)
    {
        _time = time;
        _estimateSavedCost = estimateSavedCost;
        _requests = telemetry.GetOrCreateCounter<long>(
            CachingTelemetryNames.Requests, "{request}", "Requests seen by the cache, tagged llmops.cache.status (hit, miss, bypass) and llmops.cache.tier.");
        _savedCost = telemetry.GetOrCreateCounter<double>(
            CachingTelemetryNames.SavedCost, "{cost}", "Provider cost avoided by cache hits, in the price catalog's currency.");
    }

    public void Bypass(LlmOpsInfo info, string reason)
    {
        // A bypass result says nothing but the reason (one of a few constants), so requests share one instance per reason.
        var result = _lastBypass;
        if (result is null || !ReferenceEquals(result.BypassReason, reason))
        {
            _lastBypass = result = new SemanticCacheResult { Status = SemanticCacheStatus.Bypassed, BypassReason = reason, IsShared = true };
        }

        Record(info, result);
    }

    public void Hit(LlmOpsInfo info, SemanticCacheTier tier, float? similarity, ChatResponse stored, SemanticCacheEntry? entry)
    {
        decimal? saved = null;
        if (stored.Usage is { } usage && _estimateSavedCost is { } estimate)
        {
            saved = estimate(entry?.ModelId ?? stored.ModelId, usage);
        }

        Record(info, new SemanticCacheResult
        {
            Status = SemanticCacheStatus.Hit,
            Tier = tier,
            Similarity = similarity,
            Age = entry is { } e ? Max(CoarseClock.UtcNow(_time) - e.CreatedAt, TimeSpan.Zero) : null, // the coarse clock may read a tick early
            SavedCost = saved,
        });
        if (saved is { } s && s > 0)
        {
            _savedCost.Add((double)s, new KeyValuePair<string, object?>(CachingTelemetryNames.Tier, TierTag(tier)));
        }
    }

    public void Miss(LlmOpsInfo info, SemanticCacheGuards rejectedBy, float? candidateSimilarity)
        => Record(info, new SemanticCacheResult
        {
            Status = SemanticCacheStatus.Miss,
            RejectedBy = rejectedBy,
            CandidateSimilarity = candidateSimilarity,
        });

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The value of the <see cref="CachingTelemetryNames.Status"/> tag for <paramref name="status"/>.</summary>
    internal static string StatusTag(SemanticCacheStatus status) => status switch
    {
        SemanticCacheStatus.Hit => "hit",
        SemanticCacheStatus.Bypassed => "bypass",
        _ => "miss",
    };

    /// <summary>The value of the <see cref="CachingTelemetryNames.Tier"/> tag for <paramref name="tier"/>.</summary>
    internal static string TierTag(SemanticCacheTier tier) => tier switch
    {
        SemanticCacheTier.Exact => "exact",
        SemanticCacheTier.Semantic => "semantic",
        SemanticCacheTier.Shared => "shared",
        _ => "none",
    };

    private void Record(LlmOpsInfo info, SemanticCacheResult result)
    {
        // The info computes the request's status and tier tags from the result when they are read.
        info.SetWithTags(result, StandardTags.CacheStatus | StandardTags.CacheTier);
        if (!_requests.Enabled)
        {
            return;
        }

        var status = StatusTag(result.Status);
        var tier = TierTag(result.Tier);

        var tags = new TagList
        {
            { CachingTelemetryNames.Status, status },
            { CachingTelemetryNames.Tier, tier },
        };
        if (result.RejectedBy != SemanticCacheGuards.None)
        {
            tags.Add(CachingTelemetryNames.RejectedBy, result.RejectedBy.ToString());
        }

        _requests.Add(1, tags);
    }
}
