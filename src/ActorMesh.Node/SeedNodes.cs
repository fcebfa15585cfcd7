namespace ActorMesh.Node;

/// <summary>
/// The cluster's seed nodes, from the first place that names any: <c>--seed</c> flags, then <c>ACTORMESH_SEEDS</c>
/// (comma-separated), then HOCON <c>akka.cluster.seed-nodes</c>. None: the node is a cluster of one.
/// </summary>
internal static class SeedNodes
{
    public const string EnvironmentVariable = "ACTORMESH_SEEDS";

    public static IReadOnlyList<string> Resolve(CommandLine options, Func<string, string?> environment, Akka.Configuration.Config hocon)
    {
        if (options.Seeds.Count > 0)
        {
            return options.Seeds;
        }
        if (environment(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        return hocon.GetStringList("akka.cluster.seed-nodes", []).ToList();
    }
}
