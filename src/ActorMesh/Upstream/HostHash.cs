using System.IO.Hashing;
using System.Text;

namespace ActorMesh.Upstream;

/// <summary>Envoy's <c>HashUtil::xxHash64</c> of a host's address string (<c>127.0.0.1:8080</c>).</summary>
internal static class HostHash
{
    public static string Key(UpstreamHost host) => host.Endpoint.ToString();

    public static ulong XxHash64(string text, ulong seed = 0) =>
        System.IO.Hashing.XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(text), (long)seed);
}
