using ActorMesh.Commands.Protocol;
using Akka.Actor;
using Akka.Cluster;
using static ActorMesh.Commands.Protocol.CommandArgument;

namespace ActorMesh.Commands.Palettes;

/// <summary>
/// The <c>cluster</c> palette: membership as Akka.Cluster sees it from this node. A standalone node is a cluster of one,
/// so these work there too.
/// </summary>
internal static class ClusterCommands
{
    private static readonly CommandArgument Address = Positional("address", "a member's address, e.g. akka.tcp://actormesh@127.0.0.1:4053");

    public static CommandModule Module(CommandNode node, Akka.Cluster.Cluster cluster) => new("cluster", "cluster membership: show, join, leave, down, tail",
    [
        CommandHandler.FromTask(new("show", "members: address, status, roles, app version, reachability, config version applied, leader and singleton", []),
            (_, output, _) => Task.FromResult(Show(node, cluster, output))),
        CommandHandler.FromTask(new("leave", "the member at ADDRESS (default: this node) leaves the cluster gracefully", [Address with { Required = false }]),
            (request, output, _) => Task.FromResult(Leave(cluster, request.Get("address"), output))),
        CommandHandler.FromTask(new("join", "this node joins the cluster of the node at ADDRESS", [Address]),
            (request, output, _) => Task.FromResult(Join(cluster, request.Get("address")!, output))),
        CommandHandler.FromTask(new("down", "marks the member at ADDRESS down: it is removed without leaving (for a node that is gone)", [Address]),
            (request, output, _) => Task.FromResult(Down(cluster, request.Get("address")!, output))),
        CommandHandler.FromTask(new("down-unreachable", "marks every unreachable member down", []),
            (_, output, _) => Task.FromResult(DownUnreachable(cluster, output))),
        new(new("tail", "membership events as they happen, until cancelled", [], LongRunning: true),
            (_, output) => ClusterTailActor.Props(cluster, output)),
    ]);

    private static int Show(CommandNode node, Akka.Cluster.Cluster cluster, CommandOutput output)
    {
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        // The ConfigStore singleton lives on the oldest member that is up; a standalone node runs none.
        var singleton = node.Mesh is null ? null : state.Members.Where(m => m.Status == MemberStatus.Up).OrderBy(m => m, Akka.Cluster.Member.AgeOrdering).FirstOrDefault()?.Address;
        var board = node.Mesh?.Board.Nodes;
        output.Table("address", "status", "roles", "app_version", "reachability", "config_version", "leader", "singleton");
        foreach (var member in state.Members)
        {
            var self = member.Address.Equals(cluster.SelfAddress);
            long? version = board is not null
                ? board.GetValueOrDefault(member.Address.ToString())?.Version
                : self ? node.Server.Served.Status.Version : null;
            output.Row(
                member.Address.ToString(),
                member.Status.ToString(),
                string.Join(",", member.Roles.Order(StringComparer.Ordinal)),
                member.AppVersion.ToString(),
                unreachable.Contains(member.Address) ? "unreachable" : "reachable",
                version,
                member.Address.Equals(state.Leader),
                member.Address.Equals(singleton));
        }
        return 0;
    }

    private static int Leave(Akka.Cluster.Cluster cluster, string? address, CommandOutput output)
    {
        var target = address is null ? cluster.SelfAddress : Member(cluster, address, output);
        if (target is null)
        {
            return 1;
        }
        cluster.Leave(target);
        output.Line(target.Equals(cluster.SelfAddress)
            ? $"{target} (this node) is leaving the cluster; it drains and stops"
            : $"{target} is leaving the cluster");
        return 0;
    }

    private static int Join(Akka.Cluster.Cluster cluster, string address, CommandOutput output)
    {
        if (Parse(address, output) is not { } target)
        {
            return 1;
        }
        cluster.Join(target);
        output.Line($"{cluster.SelfAddress} asked to join {target} (a node that is a member of another cluster stays in it)");
        return 0;
    }

    private static int Down(Akka.Cluster.Cluster cluster, string address, CommandOutput output)
    {
        if (Member(cluster, address, output) is not { } target)
        {
            return 1;
        }
        cluster.Down(target);
        output.Line($"{target} is marked down");
        return 0;
    }

    private static int DownUnreachable(Akka.Cluster.Cluster cluster, CommandOutput output)
    {
        var unreachable = cluster.State.Unreachable.Select(m => m.Address).ToList();
        if (unreachable.Count == 0)
        {
            output.Line("no member is unreachable");
        }
        foreach (var address in unreachable)
        {
            cluster.Down(address);
            output.Line($"{address} is marked down");
        }
        return 0;
    }

    /// <summary>A current member's address, or an error that lists the members.</summary>
    private static Address? Member(Akka.Cluster.Cluster cluster, string address, CommandOutput output)
    {
        if (Parse(address, output) is not { } target)
        {
            return null;
        }
        if (cluster.State.Members.All(m => !m.Address.Equals(target)))
        {
            output.Error($"{target} is not a member; members: " + string.Join(", ", cluster.State.Members.Select(m => m.Address)));
            return null;
        }
        return target;
    }

    private static Address? Parse(string address, CommandOutput output)
    {
        try
        {
            return Akka.Actor.Address.Parse(address);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            output.Error($"'{address}' is not an actor system address (akka.tcp://actormesh@HOST:PORT)");
            return null;
        }
    }
}
