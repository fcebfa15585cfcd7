namespace ActorMesh.Admin;

/// <summary>
/// Where a node sends a new config in mesh mode: the ConfigStore singleton, which validates, stores and replicates it;
/// the node then applies it from the routing table like every other node. Null in a standalone node.
/// </summary>
public interface IConfigAuthority
{
    /// <summary>The store's answer; it may take seconds (the control path only).</summary>
    Task<ConfigAuthorityAnswer> ApplyAsync(string yaml, string author);
}

/// <summary>
/// What the store made of a config: the version it is stored as (<paramref name="Created"/> false when it was identical
/// to the current one), or its <paramref name="Errors"/> (each with YAML path and line), or no answer in time.
/// </summary>
public sealed record ConfigAuthorityAnswer(long? Version, bool Created, IReadOnlyList<string> Errors, bool TimedOut = false);
