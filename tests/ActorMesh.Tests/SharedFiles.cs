namespace ActorMesh.Tests;

/// <summary>
/// Finds the team's shared folder (seed configs, the Envoy corpus) from the test binaries. It lives beside the
/// checkouts on developer machines and is absent in CI, so callers must cope with null.
/// </summary>
internal static class SharedFiles
{
    private static readonly Lazy<string?> Root = new(FindRoot);

    /// <summary>The shared folder, or null when there is none above the test binaries.</summary>
    public static string? RootPath => Root.Value;

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared"), Path.Combine(dir.FullName, "..", "shared") })
            {
                if (Directory.Exists(Path.Combine(candidate, "seed")))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }
        return null;
    }
}
