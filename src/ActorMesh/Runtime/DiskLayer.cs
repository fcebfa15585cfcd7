using System.Collections.Immutable;

namespace ActorMesh.Runtime;

/// <summary>
/// Envoy's runtime disk layer: every file under the directory is a key (its relative path with <c>/</c> as
/// <c>.</c>) whose value is the file's trimmed content. A directory that does not exist is an empty layer, so a
/// bootstrap written for a container still loads elsewhere.
/// </summary>
internal static class DiskLayer
{
    public static ImmutableSortedDictionary<string, string> Read(string directory)
    {
        var values = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(directory))
        {
            return values.ToImmutable();
        }
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            var key = Path.GetRelativePath(directory, file).Replace(Path.DirectorySeparatorChar, '.');
            // Envoy skips hidden files.
            if (!key.StartsWith('.'))
            {
                values[key] = File.ReadAllText(file).Trim();
            }
        }
        return values.ToImmutable();
    }
}
