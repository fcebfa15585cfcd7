using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ActorMesh.Config;

namespace ActorMesh.Admin;

/// <summary>
/// Keeps secrets out of <c>/config_dump</c>, as Envoy's <c>MessageUtil::redact</c> does: a config property marked
/// <see cref="SensitiveAttribute"/> is printed as <c>[redacted]</c>, and so is any field whose JSON name is one of
/// <see cref="SensitiveFieldNames"/> wherever it appears (for values that reach the dump as opaque maps).
/// </summary>
public sealed class ConfigDumpRedaction
{
    public const string Redacted = "[redacted]";

    /// <summary>Envoy's sensitive TLS fields and the usual names of credentials.</summary>
    public static readonly ConfigDumpRedaction Default = new(["private_key", "password", "secret", "token", "api_key", "authorization"]);

    public ConfigDumpRedaction(IEnumerable<string> sensitiveFieldNames)
    {
        SensitiveFieldNames = sensitiveFieldNames.ToHashSet(StringComparer.OrdinalIgnoreCase);
        Options = new JsonSerializerOptions(AdminJson.Options)
        {
            // Proto JSON leaves unset fields out.
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { RedactSensitiveProperties } },
            Converters = { new SocketAddressConverter() },
        };
    }

    public IReadOnlySet<string> SensitiveFieldNames { get; }

    /// <summary>The config as JSON with every secret redacted.</summary>
    public JsonNode Serialize<T>(T config)
    {
        var node = JsonSerializer.SerializeToNode(config, Options) ?? new JsonObject();
        RedactByName(node);
        return node;
    }

    internal JsonSerializerOptions Options { get; }

    private void RedactByName(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(kv => kv.Key).ToList())
                {
                    if (SensitiveFieldNames.Contains(key) && obj[key] is not null)
                    {
                        obj[key] = Redacted;
                    }
                    else if (obj[key] is { } child)
                    {
                        RedactByName(child);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array.OfType<JsonNode>())
                {
                    RedactByName(item);
                }
                break;
        }
    }

    private static void RedactSensitiveProperties(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }
        // Positional records carry the attribute on the constructor parameter; look at the property and the parameter.
        var parameters = type.Type.GetConstructors().SelectMany(c => c.GetParameters())
            .Where(p => p.GetCustomAttribute<SensitiveAttribute>() is not null)
            .Select(p => p.Name)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var property in type.Properties)
        {
            var member = property.AttributeProvider as MemberInfo;
            var sensitive = member?.GetCustomAttribute<SensitiveAttribute>() is not null || (member is not null && parameters.Contains(member.Name));
            if (!sensitive)
            {
                continue;
            }
            if (property.PropertyType == typeof(string))
            {
                var get = property.Get;
                property.Get = o => get?.Invoke(o) is null ? null : Redacted;
            }
            else
            {
                // A secret that is not a string is left out rather than printed.
                property.ShouldSerialize = (_, _) => false;
            }
        }
    }

    /// <summary>Envoy's <c>Address</c> shape: <c>{"socket_address": {"address": …, "port_value": …}}</c>.</summary>
    private sealed class SocketAddressConverter : JsonConverter<SocketAddressConfig>
    {
        public override SocketAddressConfig Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("admin JSON is written, never read");

        public override void Write(Utf8JsonWriter writer, SocketAddressConfig value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteStartObject("socket_address");
            writer.WriteString("address", value.Address);
            writer.WriteNumber("port_value", value.Port);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }
}
