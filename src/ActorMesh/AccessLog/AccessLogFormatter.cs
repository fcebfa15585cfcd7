using ActorMesh.Config;
using ActorMesh.Http;

namespace ActorMesh.AccessLog;

/// <summary>Turns one exchange into one access log line (including its newline), compiled once from the config.</summary>
public abstract class AccessLogFormatter
{
    /// <summary>Envoy's default format, used when an access log gives none.</summary>
    public const string DefaultFormat =
        "[%START_TIME%] \"%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%\" " +
        "%RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% " +
        "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% " +
        "\"%REQ(X-FORWARDED-FOR)%\" \"%REQ(USER-AGENT)%\" \"%REQ(X-REQUEST-ID)%\" " +
        "\"%REQ(:AUTHORITY)%\" \"%UPSTREAM_HOST%\"\n";

    private protected AccessLogFormatter() { }

    public abstract string Format(StreamInfo info);

    /// <summary>
    /// Compiles a format that config loading has validated; null means Envoy's default format.
    /// </summary>
    /// <exception cref="ArgumentException">The format does not compile (config validation was skipped).</exception>
    public static AccessLogFormatter Create(AccessLogFormatConfig? config)
    {
        if (config is null)
        {
            return new TextFormatter(Compile(DefaultFormat), omitEmptyValues: false);
        }
        if (config.JsonFormat is { } json)
        {
            return new JsonFormatter(json, config.OmitEmptyValues);
        }
        return new TextFormatter(Compile(config.TextFormat ?? DefaultFormat), config.OmitEmptyValues);
    }

    internal static FormatOperator[] Compile(string format) =>
        FormatStringParser.TryParse(format, out var parts, out var error)
            ? parts
            : throw new ArgumentException($"invalid access log format: {error!.Message}", nameof(format));
}
