using System.Text.Json.Serialization;

namespace ActorMesh.Commands.Protocol;

/// <summary>Source-generated System.Text.Json for the command protocol: snake_case names, nulls left out.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CommandMessages.Hello))]
[JsonSerializable(typeof(CommandMessages.Run))]
[JsonSerializable(typeof(CommandMessages.Cancel))]
[JsonSerializable(typeof(CommandMessages.Welcome))]
[JsonSerializable(typeof(CommandMessages.Table))]
[JsonSerializable(typeof(CommandMessages.Row))]
[JsonSerializable(typeof(CommandMessages.Line))]
[JsonSerializable(typeof(CommandMessages.Error))]
[JsonSerializable(typeof(CommandMessages.End))]
internal sealed partial class CommandJsonContext : JsonSerializerContext;
