using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActorMesh.Hosting;

namespace ActorMesh.Mesh;

/// <summary>
/// One node's replicated status register: the version it serves and its last NACK, as <c>/config_status</c>
/// shows it. Replicated as JSON text, so Akka's DData serializer carries it and no type of ours crosses the network.
/// </summary>
public sealed record MeshNodeStatus(string Node, long Version, string Source, DateTimeOffset LastUpdated, MeshNodeNack? LastNack)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static MeshNodeStatus From(string node, ConfigStatus status) => new(
        node,
        status.Version,
        status.Source,
        status.LastUpdated,
        status.LastNack is { } nack ? new MeshNodeNack(nack.Version, nack.Source, nack.Reason, nack.At) : null);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static MeshNodeStatus? FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<MeshNodeStatus>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public sealed record MeshNodeNack(long Version, string Source, string Reason, DateTimeOffset At);

/// <summary>
/// Every node's last reported status, swapped whole by the node's <see cref="MeshTableSubscriber"/> and read without
/// locks by the admin's <c>/config_status</c>.
/// </summary>
public sealed class MeshStatusBoard
{
    private ImmutableSortedDictionary<string, MeshNodeStatus> _nodes = ImmutableSortedDictionary<string, MeshNodeStatus>.Empty.WithComparers(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, MeshNodeStatus> Nodes => Volatile.Read(ref _nodes);

    internal void Publish(IEnumerable<MeshNodeStatus> nodes) =>
        Volatile.Write(ref _nodes, nodes.ToImmutableSortedDictionary(n => n.Node, n => n, StringComparer.Ordinal));
}
