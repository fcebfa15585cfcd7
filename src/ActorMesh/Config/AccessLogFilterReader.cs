using ActorMesh.Http;

namespace ActorMesh.Config;

/// <summary>
/// Envoy's <c>AccessLogFilter</c> (an access log's <c>filter</c>, a local reply mapper's <c>filter</c>) with Envoy's
/// validation: exactly one specifier, a comparison on the status code and duration filters, a non-empty
/// <c>runtime_key</c>, at least two filters under <c>and_filter</c>/<c>or_filter</c>, a header matcher, and response
/// flags from Envoy's list.
/// </summary>
internal static class AccessLogFilterReader
{
    private static readonly string[] Specifiers =
    [
        "status_code_filter", "duration_filter", "not_health_check_filter", "traceable_filter", "runtime_filter",
        "and_filter", "or_filter", "header_filter", "response_flag_filter", "grpc_status_filter", "extension_filter",
        "metadata_filter", "log_type_filter",
    ];

    /// <summary>Specifiers Envoy has and ActorMesh does not, with why.</summary>
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
        ["grpc_status_filter"] = "unsupported access log filter 'grpc_status_filter': ActorMesh proxies no gRPC",
        ["extension_filter"] = "unsupported access log filter 'extension_filter'",
        ["metadata_filter"] = "unsupported access log filter 'metadata_filter': ActorMesh keeps no dynamic metadata",
        ["log_type_filter"] = "unsupported access log filter 'log_type_filter'",
    };

    private static readonly Dictionary<string, ComparisonOp> Ops = new(StringComparer.OrdinalIgnoreCase)
    {
        ["EQ"] = ComparisonOp.Eq,
        ["GE"] = ComparisonOp.Ge,
        ["LE"] = ComparisonOp.Le,
    };

    /// <summary>Envoy's <c>and_filter</c>/<c>or_filter</c> <c>min_items</c>.</summary>
    private const int MinOperands = 2;

    /// <summary>The filter, or null when it is invalid (every error reported at its path).</summary>
    public static AccessLogFilterConfig? Read(YamlMap filter, ConfigReadContext context)
    {
        if (!filter.TryOneOf(Specifiers, out var key))
        {
            return null;
        }
        if (key is null)
        {
            filter.Error($"one of {string.Join(", ", Specifiers.Where(s => !Unsupported.ContainsKey(s)))} is required");
            return null;
        }
        if (Unsupported.TryGetValue(key, out var why))
        {
            filter.Take(key);
            context.Unsupported(filter.ChildPath(key), filter.KeyMark(key), why);
            return null;
        }
        if (filter.Map(key) is not { } body)
        {
            return null;
        }
        return key switch
        {
            "status_code_filter" => ReadComparison(body) is { } status ? new StatusCodeFilterConfig(status) : null,
            "duration_filter" => ReadComparison(body) is { } duration ? new DurationFilterConfig(duration) : null,
            "not_health_check_filter" => NotHealthCheckFilterConfig.Instance,
            "traceable_filter" => TraceableFilterConfig.Instance,
            "runtime_filter" => ReadRuntime(body),
            "and_filter" => ReadOperands(body, context) is { } all ? new AndFilterConfig(all) : null,
            "or_filter" => ReadOperands(body, context) is { } any ? new OrFilterConfig(any) : null,
            "header_filter" => ReadHeader(body, context),
            _ => ReadResponseFlags(body, context),
        };
    }

    private static ComparisonConfig? ReadComparison(YamlMap owner)
    {
        if (owner.RequiredMap("comparison") is not { } comparison)
        {
            return null;
        }
        var op = comparison.Enum("op", Ops);
        if (comparison.Has("op") && op is null)
        {
            return null;
        }
        if (comparison.Map("value") is not { } value)
        {
            return comparison.Has("value") ? null : new ComparisonConfig(op ?? ComparisonOp.Eq, 0, null);
        }
        var defaultValue = value.Integer("default_value", 0, uint.MaxValue);
        // RuntimeUInt32's runtime_key is required (min_len 1) whenever the value is written.
        var runtimeKey = value.RequiredScalar("runtime_key");
        if (runtimeKey is null || (value.Has("default_value") && defaultValue is null))
        {
            return null;
        }
        return new ComparisonConfig(op ?? ComparisonOp.Eq, (uint)(defaultValue ?? 0), runtimeKey);
    }

    private static RuntimeFilterConfig? ReadRuntime(YamlMap runtime)
    {
        var key = runtime.RequiredScalar("runtime_key");
        var percent = runtime.Map("percent_sampled") is { } sampled ? HttpFilterReader.ReadPercent(sampled) : FractionalPercentConfig.Zero;
        var independent = runtime.Boolean("use_independent_randomness") ?? false;
        return key is null || percent is null ? null : new RuntimeFilterConfig(key, percent, independent);
    }

    private static EquatableArray<AccessLogFilterConfig>? ReadOperands(YamlMap owner, ConfigReadContext context)
    {
        var items = owner.RequiredSequence("filters");
        var filters = ReadResults.AllOrNull(items.Select(item => context.AsMap(item.Node, item.Path) is { } map ? Read(map, context) : null));
        if (owner.Has("filters") && items.Count < MinOperands)
        {
            owner.Error("filters", $"must have at least {MinOperands} items");
            return null;
        }
        return filters;
    }

    private static HeaderFilterConfig? ReadHeader(YamlMap owner, ConfigReadContext context)
    {
        if (!owner.Has("header"))
        {
            owner.Take("header");
            owner.Missing("header");
            return null;
        }
        var header = owner.Take("header")!;
        return RouteMatchReader.ReadHeader(new SequenceItem(header, owner.ChildPath("header")), context) is { } matcher
            ? new HeaderFilterConfig(matcher)
            : null;
    }

    private static ResponseFlagFilterConfig? ReadResponseFlags(YamlMap owner, ConfigReadContext context)
    {
        var flags = new List<string>();
        var ok = true;
        foreach (var item in owner.Sequence("flags"))
        {
            if (context.AsScalar(item.Node, item.Path) is not { } code)
            {
                ok = false;
            }
            else if (!ResponseFlagCodes.EnvoyCodes.Contains(code))
            {
                context.Error(item.Path, item.Node.Start, $"unknown response flag '{code}' (expected one of {string.Join(", ", ResponseFlagCodes.EnvoyCodes)})");
                ok = false;
            }
            else
            {
                flags.Add(code);
            }
        }
        return ok ? new ResponseFlagFilterConfig(flags.ToEquatableArray()) : null;
    }
}
