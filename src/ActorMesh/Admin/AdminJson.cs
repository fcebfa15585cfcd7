using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ActorMesh.Admin;

/// <summary>JSON as Envoy's admin prints protos: pretty, one-space indent, snake_case fields, enums by name.</summary>
internal static class AdminJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper), new DurationConverter() },
    };

    public static string Write(JsonNode? node) => node?.ToJsonString(Options) ?? "{}";

    /// <summary>A proto <c>google.protobuf.Duration</c> in JSON: <c>5s</c>, <c>0.250s</c>.</summary>
    public static string Duration(TimeSpan value) =>
        value.Ticks % TimeSpan.TicksPerSecond == 0
            ? ((long)value.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s"
            : value.TotalSeconds.ToString("0.000######", CultureInfo.InvariantCulture) + "s";

    /// <summary>A proto <c>google.protobuf.Timestamp</c> in JSON: <c>2026-01-02T03:04:05.678Z</c>.</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private sealed class DurationConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("admin JSON is written, never read");

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) => writer.WriteStringValue(Duration(value));
    }
}
