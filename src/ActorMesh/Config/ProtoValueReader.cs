using System.Globalization;

namespace ActorMesh.Config;

/// <summary>
/// Protobuf wrapper types as Envoy YAML writes them: <c>UInt32Value</c> as a plain number (the JSON mapping) or as
/// <c>{value: N}</c>, and <c>type.v3.Percent</c> as <c>{value: 50.0}</c>.
/// </summary>
internal static class ProtoValueReader
{
    public static long? UInt32(YamlMap map, string key, long min = 0, long max = uint.MaxValue)
    {
        return map.Take(key) switch
        {
            null => null,
            YamlDotNet.RepresentationModel.YamlMappingNode => map.Map(key)?.Integer("value", min, max),
            _ => map.Integer(key, min, max),
        };
    }

    /// <summary>A <c>Percent</c> (0–100).</summary>
    public static double? Percent(YamlMap map, string key)
    {
        if (map.Map(key) is not { } percent)
        {
            return null;
        }
        if (percent.Scalar("value") is not { } text)
        {
            return 0;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 100)
        {
            return value;
        }
        percent.Error("value", $"must be a number between 0 and 100, got '{text}'");
        return null;
    }
}
