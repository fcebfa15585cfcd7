using System.Text.Json.Serialization;

namespace ActorMesh.Config;

/// <summary>
/// Envoy's <c>config.accesslog.v3.AccessLogFilter</c>: exactly one member of its <c>filter_specifier</c> oneof. Used by
/// an access log's <c>filter</c> and by a <c>local_reply_config</c> mapper's <c>filter</c>.
/// </summary>
// Serialization only (the admin's /config_dump).
[JsonDerivedType(typeof(StatusCodeFilterConfig), "status_code_filter")]
[JsonDerivedType(typeof(DurationFilterConfig), "duration_filter")]
[JsonDerivedType(typeof(NotHealthCheckFilterConfig), "not_health_check_filter")]
[JsonDerivedType(typeof(TraceableFilterConfig), "traceable_filter")]
[JsonDerivedType(typeof(RuntimeFilterConfig), "runtime_filter")]
[JsonDerivedType(typeof(AndFilterConfig), "and_filter")]
[JsonDerivedType(typeof(OrFilterConfig), "or_filter")]
[JsonDerivedType(typeof(HeaderFilterConfig), "header_filter")]
[JsonDerivedType(typeof(ResponseFlagFilterConfig), "response_flag_filter")]
public abstract record AccessLogFilterConfig;

/// <summary>Envoy's <c>ComparisonFilter.Op</c>.</summary>
public enum ComparisonOp
{
    Eq,
    Ge,
    Le,
}

/// <summary>
/// Envoy's <c>ComparisonFilter</c>: <c>op</c> (EQ by default) against <c>value</c>, a <c>RuntimeUInt32</c> whose
/// <c>runtime_key</c>, when the runtime holds an integer there, replaces <c>default_value</c>.
/// </summary>
public sealed record ComparisonConfig(ComparisonOp Op, uint DefaultValue, string? RuntimeKey);

/// <summary><c>status_code_filter</c>: the response code (0 when none was sent) compared.</summary>
public sealed record StatusCodeFilterConfig(ComparisonConfig Comparison) : AccessLogFilterConfig;

/// <summary><c>duration_filter</c>: the request's duration in whole milliseconds compared.</summary>
public sealed record DurationFilterConfig(ComparisonConfig Comparison) : AccessLogFilterConfig;

/// <summary><c>not_health_check_filter</c>: requests the health check filter did not mark as health checks.</summary>
public sealed record NotHealthCheckFilterConfig : AccessLogFilterConfig
{
    public static readonly NotHealthCheckFilterConfig Instance = new();
}

/// <summary><c>traceable_filter</c>: requests whose trace was forced by the service (<c>x-envoy-force-trace</c>).</summary>
public sealed record TraceableFilterConfig : AccessLogFilterConfig
{
    public static readonly TraceableFilterConfig Instance = new();
}

/// <summary>
/// <c>runtime_filter</c>: a sample of <c>percent_sampled</c> (0 % by default), its numerator replaced by an integer
/// under <c>runtime_key</c>; pivoting on the request id unless <c>use_independent_randomness</c>.
/// </summary>
public sealed record RuntimeFilterConfig(string RuntimeKey, FractionalPercentConfig PercentSampled, bool UseIndependentRandomness) : AccessLogFilterConfig;

/// <summary><c>and_filter</c>: every one of at least two filters, evaluated in order until one fails.</summary>
public sealed record AndFilterConfig(EquatableArray<AccessLogFilterConfig> Filters) : AccessLogFilterConfig;

/// <summary><c>or_filter</c>: any of at least two filters, evaluated in order until one passes.</summary>
public sealed record OrFilterConfig(EquatableArray<AccessLogFilterConfig> Filters) : AccessLogFilterConfig;

/// <summary><c>header_filter</c>: the request's headers match the route's <c>HeaderMatcher</c>.</summary>
public sealed record HeaderFilterConfig(HeaderMatcherConfig Header) : AccessLogFilterConfig;

/// <summary>
/// <c>response_flag_filter</c>: any of <see cref="Flags"/> (Envoy's short codes) is set, or, with none listed, any
/// response flag at all.
/// </summary>
public sealed record ResponseFlagFilterConfig(EquatableArray<string> Flags) : AccessLogFilterConfig;
