namespace LlmOps.Telemetry;

/// <summary>
/// The names the telemetry stage emits: instruments, the request activity and attribute keys. They follow the
/// OpenTelemetry GenAI semantic conventions (<c>gen_ai.*</c>) where one exists and use the <c>llmops.*</c> prefix
/// otherwise. Each concern lists its own names beside its code (for example <c>CachingTelemetryNames</c>); the README
/// has the whole table.
/// </summary>
public static class LlmOpsTelemetryNames
{
    /// <summary>The activity source and meter name: <c>LlmOps</c>.</summary>
    public const string SourceName = LlmOpsTelemetry.SourceName;

    /// <summary>Histogram, seconds: duration of a chat request through the pipeline.</summary>
    public const string OperationDuration = "gen_ai.client.operation.duration";

    /// <summary>Histogram, <c>{token}</c>: tokens of a request, tagged by <see cref="TokenType"/>.</summary>
    public const string TokenUsage = "gen_ai.client.token.usage";

    /// <summary>Histogram, seconds: from the request to the first streamed content chunk (the whole duration when not streaming).</summary>
    public const string TimeToFirstToken = "llmops.client.time_to_first_token";

    /// <summary>Histogram, <c>{token}/s</c>: output tokens over the generation time after the first token.</summary>
    public const string OutputTokensPerSecond = "llmops.client.output_tokens_per_second";

    /// <summary>Counter, <c>{request}</c>: chat requests, tagged by <see cref="Outcome"/>.</summary>
    public const string Requests = "llmops.client.requests";

    /// <summary>The request activity's operation and its name prefix (<c>chat {model}</c>).</summary>
    public const string ChatOperation = "chat";

    /// <summary>Attribute: the GenAI operation name (<see cref="ChatOperation"/>).</summary>
    public const string OperationName = "gen_ai.operation.name";

    /// <summary>Attribute: the model the caller asked for.</summary>
    public const string RequestModel = "gen_ai.request.model";

    /// <summary>Attribute: the model that answered.</summary>
    public const string ResponseModel = "gen_ai.response.model";

    /// <summary>Attribute: the provider, from the inner client's metadata.</summary>
    public const string ProviderName = "gen_ai.provider.name";

    /// <summary>Attribute: the request's maximum output tokens.</summary>
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";

    /// <summary>Attribute: the request's temperature.</summary>
    public const string RequestTemperature = "gen_ai.request.temperature";

    /// <summary>Attribute (span, sensitive data only): the input messages.</summary>
    public const string InputMessages = "gen_ai.input.messages";

    /// <summary>Attribute (span, sensitive data only): the answer.</summary>
    public const string OutputMessages = "gen_ai.output.messages";

    /// <summary>Attribute (span): input tokens reported or counted.</summary>
    public const string UsageInputTokens = "gen_ai.usage.input_tokens";

    /// <summary>Attribute (span): output tokens reported or counted.</summary>
    public const string UsageOutputTokens = "gen_ai.usage.output_tokens";

    /// <summary>Attribute on <see cref="TokenUsage"/>: <c>input</c> or <c>output</c>.</summary>
    public const string TokenType = "gen_ai.token.type";

    /// <summary>Attribute: the exception type of a failed request.</summary>
    public const string ErrorType = "error.type";

    /// <summary>Attribute: whether the request streamed.</summary>
    public const string Streaming = "llmops.streaming";

    /// <summary>Attribute: <c>success</c>, <c>error</c> or <c>cancelled</c>.</summary>
    public const string Outcome = "llmops.outcome";

    /// <summary>Attribute (span): the pipeline's request id.</summary>
    public const string RequestId = "llmops.request_id";

    /// <summary>Attribute (span): time to the first token, in seconds.</summary>
    public const string TimeToFirstTokenAttribute = "llmops.time_to_first_token";

    /// <summary>Attribute (only with <c>IncludeScopeInTags</c>): the tenant.</summary>
    public const string ScopeTenant = "llmops.scope.tenant";

    /// <summary>Attribute (only with <c>IncludeScopeInTags</c>): the user.</summary>
    public const string ScopeUser = "llmops.scope.user";

    /// <summary>Attribute (only with <c>IncludeScopeInTags</c>): the feature.</summary>
    public const string ScopeFeature = "llmops.scope.feature";
}
