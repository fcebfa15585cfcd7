using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ActorMesh.Upstream;

namespace ActorMesh.Admin;

/// <summary>Envoy's <c>/clusters</c>: <c>cluster::host::stat::value</c> text, or <c>?format=json</c> (<c>envoy.admin.v3.Clusters</c>).</summary>
internal static class ClustersEndpoint
{
    /// <summary>Envoy prints -1 where outlier detection has no success rate.</summary>
    private const double NoSuccessRate = OutlierHostMonitor.NoSuccessRate;

    public static AdminResponse Handle(AdminContext context, AdminQuery query)
    {
        var clusters = context.Clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        return query.Get("format") == "json" ? AdminEndpoints.JsonBody(AdminJson.Write(Json(clusters))) : AdminEndpoints.Text(Text(clusters));
    }

    /// <summary>A host's stats in Envoy's order: counters then gauges in the JSON, all sorted by name in the text.</summary>
    private static (string Name, long Value, bool Gauge)[] HostStats(UpstreamHost host) =>
    [
        ("cx_connect_fail", host.CxConnectFail, false),
        ("cx_total", host.CxTotal, false),
        ("rq_error", host.RqError, false),
        ("rq_success", host.RqSuccess, false),
        ("rq_total", host.RqTotal, false),
        ("cx_active", host.CxActive, true),
        ("rq_active", host.RqActive, true),
    ];

    private static string Text(IEnumerable<UpstreamCluster> clusters)
    {
        var sb = new StringBuilder();
        foreach (var cluster in clusters)
        {
            sb.Append(cluster.Name).Append("::observability_name::").Append(cluster.Name).Append('\n');
            sb.Append(cluster.Name).Append("::added_via_api::false\n");
            foreach (var host in cluster.Membership.Hosts)
            {
                var prefix = $"{cluster.Name}::{host.Endpoint}::";
                void Line(string stat, object value) => sb.Append(prefix).Append(stat).Append("::").Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
                foreach (var (name, value, _) in HostStats(host).OrderBy(s => s.Name, StringComparer.Ordinal))
                {
                    Line(name, value);
                }
                Line("hostname", host.Hostname);
                Line("health_flags", HealthFlags(host.HealthFlags));
                Line("weight", host.Weight);
                Line("region", host.Config.Locality.Region);
                Line("zone", host.Config.Locality.Zone);
                Line("sub_zone", host.Config.Locality.SubZone);
                Line("canary", "false");
                Line("priority", host.Priority);
                Line("success_rate", host.Outlier?.SuccessRate ?? NoSuccessRate);
                Line("local_origin_success_rate", NoSuccessRate);
            }
        }
        return sb.ToString();
    }

    /// <summary>Proto JSON as Envoy prints it: default values (0, COUNTER, false, "") are left out; uint64 is a string.</summary>
    private static JsonObject Json(IEnumerable<UpstreamCluster> clusters)
    {
        var statuses = new JsonArray();
        foreach (var cluster in clusters)
        {
            var hosts = new JsonArray();
            foreach (var host in cluster.Membership.Hosts)
            {
                var stats = new JsonArray();
                foreach (var (name, value, gauge) in HostStats(host))
                {
                    var metric = new JsonObject();
                    if (gauge)
                    {
                        metric["type"] = "GAUGE";
                    }
                    if (value != 0)
                    {
                        metric["value"] = value.ToString(CultureInfo.InvariantCulture);
                    }
                    metric["name"] = name;
                    stats.Add(metric);
                }
                var status = new JsonObject
                {
                    ["address"] = SocketAddress(host.Endpoint),
                    ["stats"] = stats,
                    ["health_status"] = HealthStatus(host.HealthFlags),
                    ["weight"] = host.Weight,
                    ["locality"] = Locality(host.Config.Locality),
                };
                if (host.Priority != 0)
                {
                    status["priority"] = host.Priority;
                }
                if (host.Outlier?.SuccessRate is { } rate and >= 0)
                {
                    status["success_rate"] = new JsonObject { ["value"] = rate };
                }
                if (host.Hostname.Length > 0)
                {
                    status["hostname"] = host.Hostname;
                }
                hosts.Add(status);
            }
            var clusterStatus = new JsonObject { ["name"] = cluster.Name };
            if (hosts.Count > 0)
            {
                clusterStatus["host_statuses"] = hosts;
            }
            clusterStatus["observability_name"] = cluster.Name;
            statuses.Add(clusterStatus);
        }
        var root = new JsonObject();
        if (statuses.Count > 0)
        {
            root["cluster_statuses"] = statuses;
        }
        return root;
    }

    /// <summary>Envoy's HostUtility::healthFlagsToString: "healthy", or each flag set as "/flag".</summary>
    internal static string HealthFlags(HostHealthFlags flags)
    {
        if (flags == HostHealthFlags.None)
        {
            return "healthy";
        }
        var text = new StringBuilder();
        if ((flags & HostHealthFlags.FailedActiveHc) != 0)
        {
            text.Append("/failed_active_hc");
        }
        if ((flags & HostHealthFlags.FailedOutlierCheck) != 0)
        {
            text.Append("/failed_outlier_check");
        }
        if ((flags & HostHealthFlags.PendingActiveHc) != 0)
        {
            text.Append("/pending_active_hc");
        }
        return text.ToString();
    }

    /// <summary><c>envoy.admin.v3.HostHealthStatus</c>: false members are left out, as proto JSON does.</summary>
    private static JsonObject HealthStatus(HostHealthFlags flags)
    {
        var status = new JsonObject();
        if ((flags & HostHealthFlags.FailedActiveHc) != 0)
        {
            status["failed_active_health_check"] = true;
        }
        if ((flags & HostHealthFlags.FailedOutlierCheck) != 0)
        {
            status["failed_outlier_check"] = true;
        }
        if ((flags & HostHealthFlags.PendingActiveHc) != 0)
        {
            status["pending_active_hc"] = true;
        }
        status["eds_health_status"] = "HEALTHY";
        return status;
    }

    private static JsonObject Locality(Config.LocalityConfig locality)
    {
        var json = new JsonObject();
        if (locality.Region.Length > 0)
        {
            json["region"] = locality.Region;
        }
        if (locality.Zone.Length > 0)
        {
            json["zone"] = locality.Zone;
        }
        if (locality.SubZone.Length > 0)
        {
            json["sub_zone"] = locality.SubZone;
        }
        return json;
    }

    /// <summary>Envoy's <c>envoy.config.core.v3.Address</c> of an IP endpoint.</summary>
    public static JsonObject SocketAddress(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => new JsonObject
        {
            ["socket_address"] = new JsonObject { ["address"] = ip.Address.ToString(), ["port_value"] = ip.Port },
        },
        _ => new JsonObject { ["pipe"] = new JsonObject { ["path"] = endpoint.ToString() } },
    };
}
