using System.Text.Json.Nodes;

namespace ActorMesh.Admin;

/// <summary>
/// A <c>google.protobuf.FieldMask</c> (<c>cluster.name,cluster.type</c>) applied to JSON as protobuf's
/// <c>TrimMessage</c> does: only the named fields survive. A path through a list applies to each element.
/// </summary>
internal sealed class FieldMask
{
    private readonly Dictionary<string, FieldMask?> _fields = new(StringComparer.Ordinal);

    public static FieldMask Parse(string mask)
    {
        var root = new FieldMask();
        foreach (var path in mask.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var node = root;
            var segments = path.Split('.');
            for (var i = 0; i < segments.Length; i++)
            {
                var last = i == segments.Length - 1;
                if (last)
                {
                    // A whole field beats any narrower path into it.
                    node._fields[segments[i]] = null;
                }
                else
                {
                    if (node._fields.TryGetValue(segments[i], out var child) && child is null)
                    {
                        break;
                    }
                    node = node._fields[segments[i]] = child ?? new FieldMask();
                }
            }
        }
        return root;
    }

    /// <summary>True when some path of the mask names a field present in <paramref name="node"/>.</summary>
    public bool MatchesAny(JsonNode? node) => node switch
    {
        JsonObject obj => _fields.Keys.Any(obj.ContainsKey),
        JsonArray array => array.Any(MatchesAny),
        _ => false,
    };

    /// <summary>Trims <paramref name="node"/> in place; <paramref name="keep"/> names a field kept at every level (an Any's <c>@type</c>).</summary>
    public void Trim(JsonNode? node, string? keep = null)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(kv => kv.Key).ToList())
                {
                    if (key == keep)
                    {
                        continue;
                    }
                    if (!_fields.TryGetValue(key, out var sub))
                    {
                        obj.Remove(key);
                    }
                    else if (sub is not null)
                    {
                        sub.Trim(obj[key], keep);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Trim(item, keep);
                }
                break;
        }
    }
}
