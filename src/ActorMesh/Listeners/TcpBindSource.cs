using System.Collections.Immutable;
using System.Net;
using System.Reflection;
using Akka.Actor;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Tcp = Akka.Streams.Dsl.Tcp;

namespace ActorMesh.Listeners;

/// <summary>
/// Akka.Streams' listening source for an <see cref="IPEndPoint"/>. <c>TcpExt.Bind</c> only takes a host string and
/// resolves it with DNS, which .NET refuses for the wildcard addresses (0.0.0.0, ::) that Envoy configs bind to; the
/// stage behind it takes an endpoint but is internal to Akka.Streams 1.5, so it is created by name here. When a
/// later Akka.Streams makes it public (or adds an endpoint overload), this file is the only one to change.
/// </summary>
internal static class TcpBindSource
{
    private static readonly Type? StageType =
        typeof(Akka.Streams.Dsl.TcpExt).Assembly.GetType("Akka.Streams.Implementation.IO.ConnectionSourceStage");

    public static Source<Tcp.IncomingConnection, Task<Tcp.ServerBinding>> Create(
        ActorSystem system, IPEndPoint endpoint, int backlog, IImmutableList<Inet.SocketOption>? options, TimeSpan unbindTimeout, bool halfClose = true)
    {
        if (StageType is null)
        {
            // Same stage, reached through DNS: fine for every address but the wildcards.
            return system.TcpStream().Bind(endpoint.Address.ToString(), endpoint.Port, backlog, options, halfClose);
        }
        var stage = (IGraph<SourceShape<Tcp.IncomingConnection>, Task<Tcp.ServerBinding>>)Activator.CreateInstance(
            StageType,
            BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance,
            null,
            new object?[] { system.Tcp(), endpoint, backlog, options, halfClose, null, unbindTimeout },
            null)!;
        return Source.FromGraph(stage);
    }
}
