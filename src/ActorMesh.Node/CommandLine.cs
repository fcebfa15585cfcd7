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
    /// <summary><c>--seed akka.tcp://actormesh@HOST:PORT</c>, repeatable: the cluster's seed nodes.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary><c>--public-hostname</c>: the address other nodes reach this one at, when it binds another.</summary>
    public string? PublicHostname { get; init; }

    /// <summary><c>--admin-address HOST:PORT</c>: this node's admin, whatever the config's admin block says.</summary>
    public string? AdminAddress { get; init; }

    /// <summary><c>--bind-address IP</c>: listeners configured on 0.0.0.0 or :: bind this address instead.</summary>
    public string? BindAddress { get; init; }

    /// <summary><c>--data-dir</c>: where the embedded SQLite config store lives; null when not given.</summary>
    public string? DataDir { get; init; }

    /// <summary><c>--tls-cert FILE.pfx</c>: remoting over TLS with this PKCS#12 certificate and key.</summary>
    public string? TlsCertificate { get; init; }

    /// <summary><c>--tls-cert-password-file FILE</c>: the PKCS#12 password (first line), kept out of the process list.</summary>
    public string? TlsCertificatePasswordFile { get; init; }

    /// <summary><c>--tls-ca FILE</c>: the certificates (PEM) a peer's certificate must chain to.</summary>
    public string? TlsCa { get; init; }

    /// <summary><c>--cmd-host IP</c>: the command host's address (HOCON <c>actormesh.cmd.host</c>, default 127.0.0.1).</summary>
    public string? CmdHost { get; init; }

    /// <summary><c>--cmd-port PORT</c>: the command host's port (default 9110; 0: any free port, printed at start).</summary>
    public int? CmdPort { get; init; }

    /// <summary><c>--cmd-token-file FILE</c>: the token consoles must present (its first line).</summary>
    public string? CmdTokenFile { get; init; }

    public const string Usage = """
        usage: actormesh [-c|--config-path FILE] [--watch] [--mode serve|validate] [--log-level trace|debug|info|warning|error]
                         [--drain-time-s SECONDS] [--cluster-host HOST] [--cluster-port PORT] [--public-hostname HOST]
                         [--seed akka.tcp://actormesh@HOST:PORT ...] [--data-dir DIR]
                         [--admin-address HOST:PORT] [--bind-address IP]
                         [--tls-cert FILE.pfx [--tls-cert-password-file FILE] [--tls-ca FILE.pem]]
                         [--cmd-host IP] [--cmd-port PORT] [--cmd-token-file FILE]
          With no -c, serves a built-in demo config (proxy on 127.0.0.1:10000, admin on 127.0.0.1:9901).
          --watch: when the -c file changes on disk, or on SIGHUP, validate it and apply it as the next config version.
          --seed (repeatable; also HOCON akka.cluster.seed-nodes or ACTORMESH_SEEDS=a,b) or --data-dir: run as a mesh
            node: versions are stored by the ConfigStore singleton (SQLite in --data-dir, default ./data, or PostgreSQL
            from ACTORMESH_POSTGRES) and replicated to every node. Without -c a mesh node serves the cluster's version.
          --admin-address, --bind-address: this node's own admin address and the IP for listeners on 0.0.0.0 or ::.
          --tls-cert: remoting over TLS with mutual authentication (seeds are then akka.ssl.tcp://…); the password from
            --tls-cert-password-file or ACTORMESH_TLS_CERT_PASSWORD; peers must chain to --tls-ca (default: the CA
            certificates in the PKCS#12 file). Also HOCON actormesh.remote-tls.
          --cmd-host, --cmd-port: the command host for actormesh-cmd (default 127.0.0.1:9110; HOCON actormesh.cmd); bound
            to a non-loopback address it needs a token: --cmd-token-file, actormesh.cmd.token-file or ACTORMESH_CMD_TOKEN.
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
                case "--seed" when value.StartsWith("akka.tcp://", StringComparison.Ordinal) || value.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal):
                    result = result with { Seeds = [.. result.Seeds, value] };
                    break;
                case "--public-hostname":
                    result = result with { PublicHostname = value };
                    break;
                case "--admin-address" when TryParseHostPort(value, out _, out _):
                    result = result with { AdminAddress = value };
                    break;
                case "--bind-address" when System.Net.IPAddress.TryParse(value, out _):
                    result = result with { BindAddress = value };
                    break;
                case "--tls-cert":
                    result = result with { TlsCertificate = value };
                    break;
                case "--tls-cert-password-file":
                    result = result with { TlsCertificatePasswordFile = value };
                    break;
                case "--tls-ca":
                    result = result with { TlsCa = value };
                    break;
                case "--cmd-host" when System.Net.IPAddress.TryParse(value, out _):
                    result = result with { CmdHost = value };
                    break;
                case "--cmd-port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var cmdPort) && cmdPort <= 65535:
                    result = result with { CmdPort = cmdPort };
                    break;
                case "--cmd-token-file":
                    result = result with { CmdTokenFile = value };
                    break;
                case "--data-dir":
                    result = result with { DataDir = value };
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
        else if (result.TlsCertificate is null && (result.TlsCertificatePasswordFile ?? result.TlsCa) is not null)
        {
            error = "--tls-cert-password-file and --tls-ca need --tls-cert FILE";
        }
        return result;
    }

    /// <summary><c>HOST:PORT</c> with an IP literal host (<c>[::1]:9901</c> for IPv6).</summary>
    public static bool TryParseHostPort(string value, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
        {
            return false;
        }
        host = value[..colon].Trim('[', ']');
        return System.Net.IPAddress.TryParse(host, out _);
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
