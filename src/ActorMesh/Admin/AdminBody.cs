using ActorMesh.Http;
using Akka.IO;

namespace ActorMesh.Admin;

/// <summary>Request bodies on the admin: only POSTs keep theirs (a config for <c>/config</c>), and only this much.</summary>
internal static class AdminBody
{
    /// <summary>A config file is kilobytes; a body over this is answered 413 and the connection closes.</summary>
    public const int MaxBytes = 1024 * 1024;

    public static readonly ByteString Continue = ByteString.FromString("HTTP/1.1 100 Continue\r\n\r\n");

    public static bool ExpectsContinue(HttpRequestHead request) =>
        request.Version == HttpVersion.Http11
        && request.Framing != BodyFraming.None
        && string.Equals(request.Headers.Get("expect"), "100-continue", StringComparison.OrdinalIgnoreCase);
}
