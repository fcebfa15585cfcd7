using ActorMesh.Commands.Protocol;
using ActorMesh.Config;
using ActorMesh.Hosting;
using ActorMesh.Mesh;
using Akka.Actor;
using static ActorMesh.Commands.Protocol.CommandArgument;
using static ActorMesh.Mesh.ConfigStoreProtocol;

namespace ActorMesh.Commands.Palettes;

/// <summary>
/// The <c>config</c> palette. On a mesh node the ConfigStore singleton keeps every version: apply, show, diff, history
/// and rollback go to it, and each node applies versions from the routing table. A standalone node keeps no history:
/// <c>apply</c> applies locally as <c>POST /config</c> does, and what needs the store says so.
/// </summary>
internal static class ConfigCommands
{
    /// <summary>Whom the history names for a version made here: <c>cmd@akka.tcp://actormesh@…</c>.</summary>
    private const string Author = "cmd";

    private static readonly CommandArgument File = Positional("file", "an Envoy YAML config file (the client reads it and sends its content)") with { Type = ArgumentType.File };
    private static readonly CommandArgument Comment = Switch("comment", "why: kept with the version in the history", "-m", "--comment") with { ValueName = "TEXT" };

    public static CommandModule Module(CommandNode node, CommandHostSettings settings)
    {
        var store = new StoreAccess(node, settings.AskTimeout);
        return new("config", "config versions: show, validate, diff, apply, history, rollback, status",
        [
            CommandHandler.FromTask(new("show", "the YAML of a version (default: the current one)",
                    [Positional("version", "a version number", required: false) with { Type = ArgumentType.Number }]),
                (request, output, _) => store.ShowAsync(request.Number("version"), output)),
            CommandHandler.FromTask(new("validate", "checks a config as --mode validate does, without applying it", [File]),
                (request, output, _) => Task.FromResult(Validate(request.File("file")!, output) is null ? 1 : 0)),
            CommandHandler.FromTask(new("diff", "a unified diff: FROM (a version, or a FILE) to TO (default: the current version; for a FILE, FROM and TO swap)",
                    [Positional("from", "a version number, or a config file") with { Type = ArgumentType.FileOrNumber }, Positional("to", "a version number", required: false) with { Type = ArgumentType.Number }]),
                (request, output, _) => store.DiffAsync(request, output)),
            CommandHandler.FromTask(new("apply", "validates a config file and makes it the next version (on a mesh node: stored and replicated to every node)", [File, Comment]),
                (request, output, _) => ApplyAsync(node, store, request, output)),
            CommandHandler.FromTask(new("history", "every version: number, time, author, kind, comment", []),
                (_, output, _) => store.HistoryAsync(output)),
            CommandHandler.FromTask(new("rollback", "stores version VERSION's content again as the next version",
                    [Positional("version", "the version to restore") with { Type = ArgumentType.Number }, Comment]),
                (request, output, _) => store.RollbackAsync(request.Number("version")!.Value, request.Get("comment"), output)),
            CommandHandler.FromTask(new("status", "the version each node serves, where it came from, and its last NACK", []),
                (_, output, _) => Task.FromResult(Status(node, output))),
        ]);
    }

    /// <summary>The loaded config, or null after writing each error (YAML path and line).</summary>
    private static BootstrapConfig? Validate(string yaml, CommandOutput output)
    {
        var loaded = ConfigLoader.LoadYaml(yaml);
        if (!loaded.IsValid)
        {
            foreach (var error in loaded.Errors)
            {
                output.Error(error.ToString());
            }
            return null;
        }
        output.Line("configuration OK");
        return loaded.Config;
    }

    private static async Task<int> ApplyAsync(CommandNode node, StoreAccess store, CommandRequest request, CommandOutput output)
    {
        var yaml = request.File("file")!;
        if (Validate(yaml, output) is not { } config)
        {
            return 1;
        }
        if (node.Mesh is not null)
        {
            return await store.ApplyAsync(yaml, request.Get("comment"), output);
        }
        if (request.Get("comment") is not null)
        {
            output.Line("a standalone node keeps no history: the comment is not stored");
        }
        var outcome = await node.Server.Control.ApplyConfigAsync(node.Server.Options.LocalOverrides.Apply(config), Author);
        if (outcome.Nack is { } nack)
        {
            output.Error($"this node refused the config (NACK), still serving version {outcome.Status.VersionInfo}: {nack}");
            return 1;
        }
        output.Line($"config version {outcome.Status.VersionInfo} applied on this node");
        return 0;
    }

    private static int Status(CommandNode node, CommandOutput output)
    {
        output.Table("node", "version", "source", "last_updated", "last_nack");
        IEnumerable<MeshNodeStatus> nodes = node.Mesh is { } mesh
            ? mesh.Board.Nodes.Values
            : [MeshNodeStatus.From(node.Address, node.Server.Served.Status)];
        foreach (var status in nodes)
        {
            output.Row(status.Node, status.Version, status.Source, status.LastUpdated, status.LastNack is { } nack ? $"version {nack.Version}: {nack.Reason}" : null);
        }
        return 0;
    }

    /// <summary>The ConfigStore through this node's singleton proxy; on a standalone node, a clear refusal.</summary>
    private sealed class StoreAccess(CommandNode node, TimeSpan timeout)
    {
        public async Task<int> ShowAsync(long? version, CommandOutput output)
        {
            if (await EntryAsync(version, output) is not { } entry)
            {
                return 1;
            }
            output.Line($"# version {entry.Version} by {entry.Author} at {entry.Timestamp:yyyy-MM-ddTHH:mm:ssZ}" + (entry.Comment is { } c ? $": {c}" : ""));
            output.Lines(entry.Yaml);
            return 0;
        }

        public async Task<int> DiffAsync(CommandRequest request, CommandOutput output)
        {
            if (Proxy(output) is not { } proxy)
            {
                return 1;
            }
            var to = request.Number("to");
            if (request.File("from") is { } fileYaml)
            {
                // A file is where one is going: version TO (default current) → the file.
                if (await EntryAsync(to, output) is not { } entry)
                {
                    return 1;
                }
                output.Lines(Diffed(LineDiff.Unified(entry.Yaml, fileYaml, $"version {entry.Version}", request.Get("from")!)));
                return 0;
            }
            var from = request.Number("from")!.Value;
            var toVersion = to ?? (await EntryAsync(null, output))?.Version;
            if (toVersion is null)
            {
                return 1;
            }
            switch (await proxy.Ask(new Diff(from, toVersion.Value), timeout))
            {
                case DiffResult diff:
                    output.Lines(Diffed(diff.UnifiedDiff));
                    return 0;
                case UnknownVersion unknown:
                    output.Error(unknown.Message);
                    return 1;
                case var other:
                    return Unexpected(other, output);
            }
        }

        public async Task<int> ApplyAsync(string yaml, string? comment, CommandOutput output)
        {
            var proxy = Proxy(output)!;
            return Report(await proxy.Ask(new Apply(yaml, $"{Author}@{node.Address}", comment), timeout), output, accepted => accepted.Created
                ? $"stored as config version {accepted.Version}; it propagates to every node (config status shows each node's version)"
                : $"identical to the current version {accepted.Version}: no new version");
        }

        public async Task<int> HistoryAsync(CommandOutput output)
        {
            if (Proxy(output) is not { } proxy)
            {
                return 1;
            }
            if (await proxy.Ask(GetHistory.Instance, timeout) is not History history)
            {
                output.Error("unexpected answer from the config store");
                return 1;
            }
            output.Table("version", "timestamp", "author", "kind", "comment");
            foreach (var entry in history.Entries)
            {
                var kind = entry.Kind == ConfigChangeKind.RolledBack ? $"rollback to {entry.RolledBackTo}" : "apply";
                output.Row(entry.Version, entry.Timestamp, entry.Author, kind, entry.Comment);
            }
            return 0;
        }

        public async Task<int> RollbackAsync(long version, string? comment, CommandOutput output)
        {
            if (Proxy(output) is not { } proxy)
            {
                return 1;
            }
            return Report(await proxy.Ask(new Rollback(version, $"{Author}@{node.Address}", comment), timeout), output,
                accepted => $"stored as config version {accepted.Version} with the content of version {version}; it propagates to every node");
        }

        /// <summary>A version (null: the current one), or null after writing why not.</summary>
        private async Task<ConfigVersion?> EntryAsync(long? version, CommandOutput output)
        {
            if (Proxy(output) is not { } proxy)
            {
                return null;
            }
            switch (await proxy.Ask(version is { } v ? new GetVersion(v) : GetCurrent.Instance, timeout))
            {
                case VersionFound found:
                    return found.Entry;
                case Current { Entry: { } current }:
                    return current;
                case Current:
                    output.Error("the config store holds no version yet");
                    return null;
                case UnknownVersion unknown:
                    output.Error(unknown.Message);
                    return null;
                case var other:
                    Unexpected(other, output);
                    return null;
            }
        }

        private IActorRef? Proxy(CommandOutput output)
        {
            if (node.Mesh is { } mesh)
            {
                return mesh.StoreProxy;
            }
            output.Error($"this node runs standalone and keeps no config history (start it with --data-dir or --seed for a config store); it serves version {node.Server.Served.Status.VersionInfo} (see config status)");
            return null;
        }

        /// <summary>The store's answer to a new version: a line for an <see cref="Accepted"/> (status 0), else its errors (status 1).</summary>
        private static int Report(object answer, CommandOutput output, Func<Accepted, string> describe)
        {
            switch (answer)
            {
                case Accepted accepted:
                    output.Line(describe(accepted));
                    return 0;
                case Rejected rejected:
                    foreach (var error in rejected.Errors)
                    {
                        output.Error(error);
                    }
                    return 1;
                case UnknownVersion unknown:
                    output.Error(unknown.Message);
                    return 1;
                default:
                    return Unexpected(answer, output);
            }
        }

        private static string Diffed(string diff) => diff.Length == 0 ? "(no difference)" : diff;

        private static int Unexpected(object answer, CommandOutput output)
        {
            output.Error($"unexpected answer from the config store: {answer.GetType().Name}");
            return 1;
        }
    }
}
