using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActorMesh.Config;
using Akka.Actor;
using Akka.Serialization;
using static ActorMesh.Mesh.ConfigStoreProtocol;

namespace ActorMesh.Mesh;

/// <summary>
/// System.Text.Json for every <see cref="IConfigStoreMessage"/>: journal events, the snapshot and the protocol. No type
/// names travel; the manifest picks the type. A manifest names a format version, so a changed record gets a new manifest
/// ("applied-v2") and keeps reading the old one: journals written years ago must still recover.
/// </summary>
public sealed class ConfigStoreSerializer : SerializerWithStringManifest
{
    /// <summary>Akka reserves identifiers below 100 for its own serializers.</summary>
    public const int SerializerIdentifier = 4410;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(), new EquatableArrayConverterFactory() },
    };

    private static readonly Dictionary<Type, string> ManifestByType = new()
    {
        [typeof(ConfigApplied)] = "applied-v1",
        [typeof(RolledBack)] = "rolled-back-v1",
        [typeof(ConfigStoreSnapshot)] = "snapshot-v1",
        [typeof(Apply)] = "apply-v1",
        [typeof(FirstStart)] = "first-start-v1",
        [typeof(CatchUp)] = "catch-up-v1",
        [typeof(Import)] = "import-v1",
        [typeof(GetCurrent)] = "get-current-v1",
        [typeof(GetVersion)] = "get-version-v1",
        [typeof(GetHistory)] = "get-history-v1",
        [typeof(Diff)] = "diff-v1",
        [typeof(Rollback)] = "rollback-v1",
        [typeof(Accepted)] = "accepted-v1",
        [typeof(Rejected)] = "rejected-v1",
        [typeof(KeptCurrent)] = "kept-current-v1",
        [typeof(Current)] = "current-v1",
        [typeof(VersionFound)] = "version-found-v1",
        [typeof(UnknownVersion)] = "unknown-version-v1",
        [typeof(History)] = "history-v1",
        [typeof(DiffResult)] = "diff-result-v1",
        [typeof(VersionCommitted)] = "version-committed-v1",
    };

    private static readonly Dictionary<string, Type> TypeByManifest = ManifestByType.ToDictionary(p => p.Value, p => p.Key);

    public ConfigStoreSerializer(ExtendedActorSystem system) : base(system) { }

    public override int Identifier => SerializerIdentifier;

    public override string Manifest(object o) =>
        ManifestByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{nameof(ConfigStoreSerializer)} cannot serialize {o.GetType()}.", nameof(o));

    public override byte[] ToBinary(object obj) => obj switch
    {
        // Singletons carry nothing; the manifest alone names them.
        GetCurrent or GetHistory => [],
        _ => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        "get-current-v1" => GetCurrent.Instance,
        "get-history-v1" => GetHistory.Instance,
        _ when TypeByManifest.TryGetValue(manifest, out var type) =>
            JsonSerializer.Deserialize(bytes, type, Json) ?? throw new SerializationException($"Empty payload for manifest '{manifest}'."),
        _ => throw new SerializationException($"Unknown config store manifest '{manifest}'."),
    };

    /// <summary><see cref="EquatableArray{T}"/> as a plain JSON array.</summary>
    private sealed class EquatableArrayConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) =>
            typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(EquatableArray<>);

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(EquatableArrayConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;
    }

    private sealed class EquatableArrayConverter<T> : JsonConverter<EquatableArray<T>>
    {
        public override EquatableArray<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            (JsonSerializer.Deserialize<T[]>(ref reader, options) ?? []).ToEquatableArray();

        public override void Write(Utf8JsonWriter writer, EquatableArray<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.AsImmutableArray().AsEnumerable(), options);
    }
}
