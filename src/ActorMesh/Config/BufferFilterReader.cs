namespace ActorMesh.Config;

/// <summary>Envoy's <c>Buffer</c> filter (<c>max_request_bytes</c>) and its per-route <c>BufferPerRoute</c>.</summary>
internal static class BufferFilterReader
{
    public const string Name = "envoy.filters.http.buffer";

    public static HttpFilterSettings? Read(YamlMap body, ConfigReadContext context)
    {
        var max = body.Integer("max_request_bytes", 1, uint.MaxValue);
        if (max is null && !body.Has("max_request_bytes"))
        {
            body.Missing("max_request_bytes");
        }
        return max is null ? null : new BufferConfig(max.Value);
    }

    /// <summary><c>BufferPerRoute</c>: exactly one of <c>disabled: true</c> or <c>buffer</c>.</summary>
    public static HttpFilterSettings? ReadPerRoute(YamlMap body, ConfigReadContext context)
    {
        var disabled = body.Boolean("disabled");
        if (body.Map("buffer") is { } buffer)
        {
            return disabled is null ? Read(buffer, context) : Conflict(body);
        }
        if (disabled == true)
        {
            return new BufferConfig(0) { Disabled = true };
        }
        body.Error("requires one of disabled: true or buffer");
        return null;
    }

    private static HttpFilterSettings? Conflict(YamlMap body)
    {
        body.Error("disabled", "only one of disabled or buffer may be set");
        return null;
    }
}
