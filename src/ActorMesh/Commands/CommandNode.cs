using ActorMesh.Admin;
using ActorMesh.Hosting;
using ActorMesh.Mesh;
using Akka.Actor;

namespace ActorMesh.Commands;

/// <summary>What the commands act on: the node's actor system, its server and, in a mesh, its config plane.</summary>
public sealed record CommandNode(ActorSystem System, ActorMeshServer Server)
{
    /// <summary>Null on a standalone node: no ConfigStore, no status board.</summary>
    public MeshNode? Mesh { get; init; }

    internal ILogLevels Logging => new AkkaLogLevels(System);

    /// <summary>The cluster, when the system runs the cluster provider (every <c>actormesh</c> node does).</summary>
    public Akka.Cluster.Cluster? Cluster =>
        ((ExtendedActorSystem)System).Provider is Akka.Cluster.ClusterActorRefProvider ? Akka.Cluster.Cluster.Get(System) : null;

    /// <summary>The node's address as the cluster knows it (<c>akka.tcp://actormesh@127.0.0.1:4053</c>).</summary>
    public string Address => Cluster?.SelfAddress.ToString() ?? ((ExtendedActorSystem)System).Provider.DefaultAddress.ToString();
}
