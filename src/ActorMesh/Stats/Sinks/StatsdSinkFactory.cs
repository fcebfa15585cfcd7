using System.Net;
using ActorMesh.Config;
using ActorMesh.Upstream;
using Akka.Actor;

namespace ActorMesh.Stats.Sinks;

/// <summary>The sink actors the bootstrap's <c>stats_sinks</c> ask for, one per entry.</summary>
internal static class StatsdSinkFactory
{
    /// <param name="findCluster">Finds a cluster of the version being served, for <c>tcp_cluster_name</c>; asked at each connect.</param>
    public static IReadOnlyList<Props> Create(IEnumerable<StatsSinkConfig> sinks, StatsStore store, Func<string, UpstreamCluster?> findCluster) =>
        sinks.Select(sink => sink switch
        {
            StatsdSinkConfig { TcpClusterName: { } cluster } statsd => TcpStatsdSinkActor.Props(cluster, findCluster, statsd.Prefix, store),
            StatsdSinkConfig statsd => UdpStatsdSinkActor.Props(Target(statsd.Address!), new StatsdFormat(statsd.Prefix, UseTags: false), bufferSize: 0),
            DogStatsdSinkConfig dog => UdpStatsdSinkActor.Props(Target(dog.Address), new StatsdFormat(dog.Prefix, UseTags: true), dog.MaxBytesPerDatagram ?? 0),
            _ => throw new ArgumentOutOfRangeException(nameof(sinks), sink, "unknown stats sink"),
        }).ToArray();

    // The reader only accepts IP literals here, as Envoy's resolveProtoAddress does.
    private static IPEndPoint Target(SocketAddressConfig address) => new(IPAddress.Parse(address.Address), address.Port);
}
