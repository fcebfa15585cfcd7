using System.Net;
using Akka;
using Akka.IO;
using Akka.Streams.Dsl;

namespace ActorMesh.Listeners;

/// <summary>The two ends of an accepted downstream connection.</summary>
public sealed record DownstreamAddresses(EndPoint Remote, EndPoint Local);

/// <summary>A connection the listener socket accepted: its byte transport and who is on each end.</summary>
public sealed record AcceptedConnection(Flow<ByteString, ByteString, NotUsed> Transport, DownstreamAddresses Addresses);

/// <summary>
/// Builds the stages a listener runs for each accepted connection (codec and connection manager), given the
/// connection's addresses, which forwarding headers and the access log need.
/// </summary>
public delegate Flow<ByteString, ByteString, IConnectionControl> ConnectionPipeline(DownstreamAddresses addresses);
