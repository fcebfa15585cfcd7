namespace ActorMesh.Config;

/// <summary>One entry of the bootstrap's <c>stats_sinks</c>: a statsd or a DogStatsD sink.</summary>
// Serialization only (the admin's /config_dump).
[System.Text.Json.Serialization.JsonDerivedType(typeof(StatsdSinkConfig), "envoy.stat_sinks.statsd")]
[System.Text.Json.Serialization.JsonDerivedType(typeof(DogStatsdSinkConfig), "envoy.stat_sinks.dog_statsd")]
public abstract record StatsSinkConfig(string Name)
{
    /// <summary>Envoy's default <c>prefix</c> of every statsd line (<c>getDefaultPrefix()</c>).</summary>
    public const string DefaultPrefix = "envoy";
}

/// <summary>
/// Envoy's <c>envoy.stat_sinks.statsd</c>: lines over UDP to <see cref="Address"/>, or over a TCP connection to a host
/// of the cluster <see cref="TcpClusterName"/> (exactly one of the two is set).
/// </summary>
public sealed record StatsdSinkConfig(string Name, SocketAddressConfig? Address, string? TcpClusterName, string Prefix) : StatsSinkConfig(Name);

/// <summary>
/// Envoy's <c>envoy.stat_sinks.dog_statsd</c>: tag-extracted names with <c>|#tag:value</c> over UDP. Without
/// <see cref="MaxBytesPerDatagram"/> every line is its own datagram, as in Envoy.
/// </summary>
public sealed record DogStatsdSinkConfig(string Name, SocketAddressConfig Address, string Prefix, int? MaxBytesPerDatagram) : StatsSinkConfig(Name);
