using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ActorMesh.Upstream;

namespace ActorMesh.Admin;

/// <summary>Envoy's <c>/clusters</c>: <c>cluster::host::stat::value</c> text, or <c>?format=json</c> (<c>envoy.admin.v3.Clusters</c>).</summary>
internal static class ClustersEndpoint
{
    /// <summary>Envoy prints -1 where outlier detection has no success rate; ActorMesh has no outlier detector yet.</summary>
    private const int NoSuccessRate = -1;

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
                Line("health_flags", "healthy");
                Line("weight", 1);
                Line("region", string.Empty);
                Line("zone", string.Empty);
                Line("sub_zone", string.Empty);
                Line("canary", "false");
                Line("priority", 0);
                Line("success_rate", NoSuccessRate);
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
                    ["health_status"] = new JsonObject { ["eds_health_status"] = "HEALTHY" },
                    ["weight"] = 1,
                    ["locality"] = new JsonObject(),
                };
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
