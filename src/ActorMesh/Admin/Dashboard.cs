namespace ActorMesh.Admin;

/// <summary>
/// The admin's <c>GET /</c>: one self-contained page (no CDN, embedded in the assembly) that polls the admin's JSON
/// endpoints and shows per-listener and per-cluster rates, errors, latency and endpoint health.
/// </summary>
internal static class Dashboard
{
    public static readonly string Page = Load();

    private static string Load()
    {
        using var stream = typeof(Dashboard).Assembly.GetManifestResourceStream("ActorMesh.Admin.Dashboard.html")
            ?? throw new InvalidOperationException("the dashboard page is not embedded in the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
