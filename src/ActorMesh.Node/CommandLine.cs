using System.Globalization;

namespace ActorMesh.Node;

internal enum RunMode
{
    Serve,
    Validate,
}

/// <summary>
/// Envoy-like flags: <c>-c/--config-path</c>, <c>--mode serve|validate</c>, <c>--log-level</c>, <c>--drain-time-s</c>;
/// and <c>--watch</c>, which applies the <c>-c</c> file again whenever it changes or the node gets SIGHUP.
/// </summary>
internal sealed record CommandLine(
    RunMode Mode,
    string? ConfigPath,
    string LogLevel,
    TimeSpan DrainTime,
    string ClusterHost,
    int ClusterPort,
    bool Watch = false)
{
    public const string Usage = """
        usage: actormesh [-c|--config-path FILE] [--watch] [--mode serve|validate] [--log-level trace|debug|info|warning|error]
                         [--drain-time-s SECONDS] [--cluster-host HOST] [--cluster-port PORT]
          With no -c, serves a built-in demo config (proxy on 127.0.0.1:10000, admin on 127.0.0.1:9901).
          --watch: when the -c file changes on disk, or on SIGHUP, validate it and apply it as the next config version.
        """;

    public static CommandLine Parse(string[] args, out string? error)
    {
        error = null;
        var result = new CommandLine(RunMode.Serve, null, "info", TimeSpan.FromSeconds(15), "127.0.0.1", 0);
        for (var i = 0; i < args.Length; i++)
        {
            string? Next()
            {
                if (i + 1 < args.Length)
                {
                    return args[++i];
                }
                return null;
            }

            var flag = args[i];
            if (flag == "--watch")
            {
                result = result with { Watch = true };
                continue;
            }
            var value = flag is "-h" or "--help" ? null : Next();
            if (flag is "-h" or "--help")
            {
                error = string.Empty;
                return result;
            }
            if (value is null)
            {
                error = $"{flag} needs a value";
                return result;
            }
            switch (flag)
            {
                case "-c" or "--config-path":
                    result = result with { ConfigPath = value };
                    break;
                case "--mode" when value is "serve" or "validate":
                    result = result with { Mode = value == "serve" ? RunMode.Serve : RunMode.Validate };
                    break;
                case "--log-level" when value is "trace" or "debug" or "info" or "warning" or "warn" or "error" or "critical" or "off":
                    result = result with { LogLevel = value };
                    break;
                case "--drain-time-s" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds):
                    result = result with { DrainTime = TimeSpan.FromSeconds(seconds) };
                    break;
                case "--cluster-host":
                    result = result with { ClusterHost = value };
                    break;
                case "--cluster-port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535:
                    result = result with { ClusterPort = port };
                    break;
                default:
                    error = $"unknown flag or bad value: {flag} {value}";
                    return result;
            }
        }
        if (result.Mode == RunMode.Validate && result.ConfigPath is null)
        {
            error = "--mode validate needs -c FILE";
        }
        else if (result.Watch && result.ConfigPath is null)
        {
            error = "--watch needs -c FILE";
        }
        return result;
    }

    /// <summary>Akka's log level names for ours (Envoy's names).</summary>
    public string AkkaLogLevel => LogLevel switch
    {
        "trace" or "debug" => "DEBUG",
        "warning" or "warn" => "WARNING",
        "error" or "critical" => "ERROR",
        "off" => "OFF",
        _ => "INFO",
    };
}
