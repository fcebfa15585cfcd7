using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ActorMesh.AccessLog;
using ActorMesh.Config;

namespace ActorMesh.Upstream;

/// <summary>Envoy's <c>data.core.v3.HealthCheckFailureType</c>.</summary>
public enum HealthCheckFailureType
{
    /// <summary>The host answered, but not as expected: ejected at once, whatever <c>unhealthy_threshold</c> says.</summary>
    Active,
    Passive,
    /// <summary>Connect failure, reset or timeout: counts towards <c>unhealthy_threshold</c>.</summary>
    Network,
}

/// <summary>
/// Envoy's <c>HealthCheckEventLoggerImpl</c> behind a health check's (deprecated) <c>event_log_path</c>: each event is
/// one <c>data.core.v3.HealthCheckEvent</c> as Envoy prints it (proto JSON, proto field names, primitive fields
/// always printed, one line each), appended through the access log writer of that path, so writing never blocks the
/// health checker and <c>/dev/stdout</c> shares the process's stream.
/// </summary>
internal sealed class HealthCheckEventLogger(AccessLogFile file, HealthCheckKind kind, string clusterName)
{
    public void EjectUnhealthy(UpstreamHost host, HealthCheckFailureType type) =>
        Write(host, "eject_unhealthy_event", writer => writer.WriteString("failure_type", Name(type)));

    public void AddHealthy(UpstreamHost host, bool firstCheck) =>
        Write(host, "add_healthy_event", writer => writer.WriteBoolean("first_check", firstCheck));

    public void Failure(UpstreamHost host, HealthCheckFailureType type, bool firstCheck) =>
        Write(host, "health_check_failure_event", writer =>
        {
            writer.WriteString("failure_type", Name(type));
            writer.WriteBoolean("first_check", firstCheck);
        });

    public void Success(UpstreamHost host) => Write(host, "successful_health_check_event", static _ => { });

    private void Write(UpstreamHost host, string eventName, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        // Protobuf's printer escapes only what JSON requires.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("health_checker_type", kind == HealthCheckKind.Tcp ? "TCP" : "HTTP");
            writer.WriteStartObject("host");
            writer.WriteStartObject("socket_address");
            writer.WriteString("protocol", "TCP");
            writer.WriteString("address", host.Endpoint.Address.ToString());
            writer.WriteNumber("port_value", host.Endpoint.Port);
            writer.WriteString("resolver_name", "");
            writer.WriteBoolean("ipv4_compat", false);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteString("cluster_name", clusterName);
            writer.WriteStartObject(eventName);
            body(writer);
            writer.WriteEndObject();
            writer.WriteString("timestamp", Timestamp(DateTimeOffset.UtcNow));
            var locality = host.Config.Locality;
            writer.WriteStartObject("locality");
            writer.WriteString("region", locality.Region);
            writer.WriteString("zone", locality.Zone);
            writer.WriteString("sub_zone", locality.SubZone);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        file.Write(Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n");
    }

    private static string Name(HealthCheckFailureType type) => type switch
    {
        HealthCheckFailureType.Active => "ACTIVE",
        HealthCheckFailureType.Passive => "PASSIVE",
        _ => "NETWORK",
    };

    /// <summary>A protobuf JSON <c>Timestamp</c>: UTC, with 0, 3, 6 or 9 fractional digits as the value needs.</summary>
    internal static string Timestamp(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var nanos = utc.Ticks % TimeSpan.TicksPerSecond * 100;
        var seconds = utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var fraction = nanos == 0 ? ""
            : nanos % 1_000_000 == 0 ? "." + (nanos / 1_000_000).ToString("D3", CultureInfo.InvariantCulture)
            : nanos % 1_000 == 0 ? "." + (nanos / 1_000).ToString("D6", CultureInfo.InvariantCulture)
            : "." + nanos.ToString("D9", CultureInfo.InvariantCulture);
        return seconds + fraction + "Z";
    }
}
