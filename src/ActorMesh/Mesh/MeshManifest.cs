using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorMesh.Mesh;

/// <summary>
/// The routing table's version key: the version number and every resource it is made of (key and content hash), in
/// config order. Replicated as JSON text in an <c>LWWRegister&lt;string&gt;</c>, so Akka's own DData serializer carries
/// it and no type of ours crosses the network.
/// </summary>
public sealed record MeshManifest(long Version, IReadOnlyList<MeshResourceRef> Resources)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Null for text that is not a manifest (an empty register).</summary>
    public static MeshManifest? FromJson(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<MeshManifest>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
