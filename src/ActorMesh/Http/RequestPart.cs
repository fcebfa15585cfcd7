using Akka.IO;

namespace ActorMesh.Http;

/// <summary>What the request decoder stage emits: a head, body slices, an end, or a parse error (after which nothing).</summary>
public abstract record RequestPart
{
    public sealed record Head(HttpRequestHead Request) : RequestPart;

    public sealed record Body(ByteString Data) : RequestPart;

    public sealed record End : RequestPart
    {
        public static readonly End Instance = new();
    }

    public sealed record Malformed(HttpParseError Error) : RequestPart;
}
