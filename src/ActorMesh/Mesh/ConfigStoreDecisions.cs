using ActorMesh.Config;
using static ActorMesh.Mesh.ConfigStoreProtocol;

namespace ActorMesh.Mesh;

/// <summary>What a command does to the store: an event to persist (answered once it is), or an immediate reply.</summary>
public sealed record ConfigStoreDecision(IConfigStoreEvent? ToPersist, IConfigStoreMessage? Reply)
{
    public static ConfigStoreDecision Persist(IConfigStoreEvent @event) => new(@event, null);

    public static ConfigStoreDecision Answer(IConfigStoreMessage reply) => new(null, reply);
}

/// <summary>The ConfigStore's rules as pure functions of its state, so they are tested without an actor or a journal.</summary>
public static class ConfigStoreDecisions
{
    /// <summary>
    /// Validates with the same loader as <c>--mode validate</c>. YAML identical to the current version's makes no new
    /// version: as with xDS, re-sending what is already served is a no-op, and a node's file watcher or a retried
    /// <c>config apply</c> does not flood the history.
    /// </summary>
    public static ConfigStoreDecision Apply(ConfigStoreState state, string yaml, string author, string? comment, DateTimeOffset now)
    {
        if (Validate(yaml) is { } rejected)
        {
            return ConfigStoreDecision.Answer(rejected);
        }
        if (state.Current is { } current && current.Yaml == yaml)
        {
            return ConfigStoreDecision.Answer(new Accepted(current.Version, Created: false));
        }
        return ConfigStoreDecision.Persist(new ConfigApplied(state.NextVersion, yaml, author, now, comment));
    }

    /// <summary>The node's own file seeds an empty store only; once a version exists, the store is the source of truth.</summary>
    public static ConfigStoreDecision FirstStart(ConfigStoreState state, string yaml, string author, DateTimeOffset now) =>
        state.Current is { } current
            ? ConfigStoreDecision.Answer(new KeptCurrent(current.Version))
            : Apply(state, yaml, author, "first start", now);

    /// <summary>
    /// The versions that continue this journal, in order, as the events that first made them; the first gap ends the
    /// import (the history stays gapless).
    /// </summary>
    public static IReadOnlyList<IConfigStoreEvent> Import(ConfigStoreState state, IEnumerable<ConfigVersion> versions)
    {
        var events = new List<IConfigStoreEvent>();
        var next = state.NextVersion;
        foreach (var v in versions.OrderBy(v => v.Version).SkipWhile(v => v.Version < next))
        {
            if (v.Version != next)
            {
                break;
            }
            events.Add(ToEvent(v));
            next++;
        }
        return events;
    }

    public static IConfigStoreEvent ToEvent(ConfigVersion v) => v.Kind == ConfigChangeKind.RolledBack && v.RolledBackTo is { } to
        ? new RolledBack(v.Version, to, v.Yaml, v.Author, v.Timestamp, v.Comment)
        : new ConfigApplied(v.Version, v.Yaml, v.Author, v.Timestamp, v.Comment);

    /// <summary>
    /// Versions the mesh committed while this journal was elsewhere are lost with their node; each missing number is
    /// filled with the mesh's current content and says so, keeping the history gapless and the numbers rising.
    /// </summary>
    public static IReadOnlyList<ConfigApplied> CatchUp(ConfigStoreState state, long version, string yaml, string author, DateTimeOffset now)
    {
        var events = new List<ConfigApplied>();
        for (var v = state.NextVersion; v <= version; v++)
        {
            var comment = v == version
                ? "caught up from the mesh's routing table"
                : $"placeholder: version {v} was committed on a node whose history is lost; content of version {version}";
            events.Add(new ConfigApplied(v, yaml, author, now, comment));
        }
        return events;
    }

    /// <summary>
    /// Always a new version, even when the content equals the current one: a rollback is an operator's decision and the
    /// history records it. The old content is validated again, since today's validator may reject what an older accepted.
    /// </summary>
    public static ConfigStoreDecision Rollback(ConfigStoreState state, long toVersion, string author, string? comment, DateTimeOffset now)
    {
        if (state.Find(toVersion) is not { } target)
        {
            return ConfigStoreDecision.Answer(new UnknownVersion(toVersion, state.DescribeUnknown(toVersion)));
        }
        if (Validate(target.Yaml) is { } rejected)
        {
            return ConfigStoreDecision.Answer(rejected);
        }
        return ConfigStoreDecision.Persist(new RolledBack(state.NextVersion, toVersion, target.Yaml, author, now, comment));
    }

    public static IConfigStoreMessage Diff(ConfigStoreState state, long from, long to)
    {
        if (state.Find(from) is not { } a)
        {
            return new UnknownVersion(from, state.DescribeUnknown(from));
        }
        if (state.Find(to) is not { } b)
        {
            return new UnknownVersion(to, state.DescribeUnknown(to));
        }
        return new DiffResult(from, to, LineDiff.Unified(a.Yaml, b.Yaml, $"version {from}", $"version {to}"));
    }

    public static IConfigStoreMessage GetVersion(ConfigStoreState state, long version) =>
        state.Find(version) is { } entry
            ? new VersionFound(entry)
            : new UnknownVersion(version, state.DescribeUnknown(version));

    private static Rejected? Validate(string yaml)
    {
        var result = ConfigLoader.LoadYaml(yaml);
        if (!result.IsValid)
        {
            return new Rejected(result.Errors.Select(e => e.ToString()).ToEquatableArray());
        }
        // A resource the routing table cannot replicate is refused here, before it is stored, not dropped on the wire.
        MeshResources.Split(yaml, out var tooLarge);
        return tooLarge.Count == 0 ? null : new Rejected(tooLarge.ToEquatableArray());
    }
}
