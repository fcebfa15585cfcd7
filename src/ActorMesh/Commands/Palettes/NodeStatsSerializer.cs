using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using static ActorMesh.Commands.Palettes.NodeStatsProtocol;

namespace ActorMesh.Commands.Palettes;

/// <summary>
/// Source-generated System.Text.Json for every <see cref="INodeStatsMessage"/>: no type names travel, the manifest picks
/// the record (strict serialization: nothing polymorphic is deserialized from the network).
/// </summary>
public sealed class NodeStatsSerializer : SerializerWithStringManifest
{
    /// <summary>Beside the ConfigStore's 4410; Akka reserves identifiers below 100.</summary>
    public const int SerializerIdentifier = 4411;

    private const string GetManifest = "get-node-stats-v1";
    private const string PageManifest = "node-stats-page-v1";

    public NodeStatsSerializer(ExtendedActorSystem system) : base(system) { }

    public override int Identifier => SerializerIdentifier;

    public override string Manifest(object o) => o switch
    {
        GetNodeStats => GetManifest,
        NodeStatsPage => PageManifest,
        _ => throw new ArgumentException($"{nameof(NodeStatsSerializer)} cannot serialize {o.GetType()}.", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        GetNodeStats m => JsonSerializer.SerializeToUtf8Bytes(m, NodeStatsJsonContext.Default.GetNodeStats),
        NodeStatsPage m => JsonSerializer.SerializeToUtf8Bytes(m, NodeStatsJsonContext.Default.NodeStatsPage),
        _ => throw new ArgumentException($"{nameof(NodeStatsSerializer)} cannot serialize {obj.GetType()}.", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        GetManifest => JsonSerializer.Deserialize(bytes, NodeStatsJsonContext.Default.GetNodeStats),
        PageManifest => JsonSerializer.Deserialize(bytes, NodeStatsJsonContext.Default.NodeStatsPage),
        _ => (object?)null,
    } ?? throw new SerializationException($"Unknown or empty node stats message '{manifest}'.");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(GetNodeStats))]
[JsonSerializable(typeof(NodeStatsPage))]
internal sealed partial class NodeStatsJsonContext : JsonSerializerContext;
