using System.Globalization;
using System.Net;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace LlmOps.Routing;

/// <summary>
/// The built-in reading of a failed provider attempt (see the README's failure table). Providers' SDKs differ; set
/// <see cref="ModelRoutingOptions.ClassifyFailure"/> for exceptions that carry their status elsewhere.
/// </summary>
/// <remarks>
/// <para>
/// The status code comes from <see cref="HttpRequestException.StatusCode"/>, or from <c>exception.Data["StatusCode"]</c>
/// (an <see cref="int"/> or <see cref="HttpStatusCode"/>). The <c>Retry-After</c> delay comes from
/// <c>exception.Data["Retry-After"]</c>: a <see cref="TimeSpan"/>, a number of seconds, or an HTTP date. An adapter
/// for a provider SDK sets these two entries when it wraps the SDK's exception.
/// </para>
/// <para>
/// A 400 whose message mentions the context length (<c>context_length_exceeded</c>, <c>maximum context length</c>)
/// is a <see cref="RoutingFailureKind.ContextWindowExceeded"/>; one that mentions a content filter or policy
/// (<c>content_filter</c>, <c>content management policy</c>, <c>content_policy</c>) is <see cref="RoutingFailureKind.ContentFiltered"/>.
/// </para>
/// </remarks>
public static class RoutingFailureClassifier
{
    /// <summary>The <see cref="Exception.Data"/> key read for the delay a provider asked for: <c>Retry-After</c>.</summary>
    public const string RetryAfterKey = "Retry-After";

    /// <summary>The <see cref="Exception.Data"/> key read for the HTTP status code: <c>StatusCode</c>.</summary>
    public const string StatusCodeKey = "StatusCode";

    /// <summary>Classifies a failure.</summary>
    /// <param name="exception">The exception the attempt threw.</param>
    /// <param name="now">The current time, to turn an HTTP-date <c>Retry-After</c> into a delay; <see langword="null"/> ignores dates.</param>
    /// <returns>The failure's kind, status and <c>Retry-After</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public static RoutingFailure Classify(Exception exception, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var retryAfter = ReadRetryAfter(exception, now);
        switch (exception)
        {
            case OperationCanceledException when exception is not TaskCanceledException { InnerException: TimeoutException }:
                return new(RoutingFailureKind.Cancelled);
            case TimeoutRejectedException or TimeoutException:
                return new(RoutingFailureKind.Timeout);
            case BrokenCircuitException or IsolatedCircuitException:
                return new(RoutingFailureKind.Unavailable, RetryAfter: (exception as BrokenCircuitException)?.RetryAfter);
            case DeploymentUnavailableException:
                return new(RoutingFailureKind.Unavailable);
        }

        var status = ReadStatus(exception);
        if (status is null)
        {
            // No status: a dropped connection or a stream that broke mid-way is the network's fault, not the request's.
            return exception is HttpRequestException or IOException ? new(RoutingFailureKind.Transient) : new(RoutingFailureKind.ClientError);
        }

        var code = status.Value;
        var kind = code switch
        {
            429 => RoutingFailureKind.RateLimited,
            408 => RoutingFailureKind.Timeout,
            401 or 403 => RoutingFailureKind.Unauthorized,
            >= 500 => RoutingFailureKind.Transient,
            _ when Mentions(exception.Message, "context_length_exceeded", "maximum context length", "context window", "too many tokens") => RoutingFailureKind.ContextWindowExceeded,
            _ when Mentions(exception.Message, "content_filter", "content management policy", "content_policy", "content policy") => RoutingFailureKind.ContentFiltered,
            _ => RoutingFailureKind.ClientError,
        };
        return new(kind, code, retryAfter);
    }

    private static int? ReadStatus(Exception exception)
    {
        if (exception is HttpRequestException { StatusCode: { } http })
        {
            return (int)http;
        }

        return exception.Data[StatusCodeKey] switch
        {
            int i => i,
            HttpStatusCode h => (int)h,
            string s when int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => i,
            _ => null,
        };
    }

    private static TimeSpan? ReadRetryAfter(Exception exception, DateTimeOffset? now)
    {
        var delay = exception.Data[RetryAfterKey] switch
        {
            TimeSpan t => t,
            int seconds => TimeSpan.FromSeconds(seconds),
            double seconds when double.IsFinite(seconds) => TimeSpan.FromSeconds(seconds),
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) => TimeSpan.FromSeconds(seconds),
            string s when now is { } n && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) => at - n,
            DateTimeOffset at when now is { } n => at - n,
            _ => (TimeSpan?)null,
        };
        return delay is { } d && d < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }

    private static bool Mentions(string message, params ReadOnlySpan<string> needles)
    {
        foreach (var needle in needles)
        {
            if (message.Contains(needle, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
