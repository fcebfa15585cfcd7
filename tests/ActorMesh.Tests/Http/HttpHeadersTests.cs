using ActorMesh.Http;
using Xunit;

namespace ActorMesh.Tests.Http;

public sealed class HttpHeadersTests
{
    [Fact]
    public void Hop_by_hop_fields_and_every_field_connection_names_are_removed()
    {
        var headers = new HttpHeaders();
        headers.Add("Host", "a");
        headers.Add("Connection", "keep-alive, X-Secret");
        headers.Add("Keep-Alive", "timeout=5");
        headers.Add("x-secret", "drop me");
        headers.Add("TE", "gzip, deflate");
        headers.Add("Transfer-Encoding", "chunked");
        headers.Add("Upgrade", "websocket");
        headers.Add("Proxy-Connection", "keep-alive");
        headers.Add("x-kept", "1");

        headers.RemoveHopByHop();

        Assert.Equal(new[] { "Host", "x-kept" }, headers.Items.Select(h => h.Name));
    }

    [Fact]
    public void Te_trailers_is_the_one_transfer_coding_preference_forwarded()
    {
        var headers = new HttpHeaders();
        headers.Add("Host", "a");
        headers.Add("TE", "gzip, Trailers");
        headers.Add("Connection", "TE");

        headers.RemoveHopByHop();

        Assert.Equal(new[] { ("Host", "a"), ("te", "trailers") }, headers.Items.Select(h => (h.Name, h.Value)));
    }

    [Fact]
    public void Request_ids_are_distinct_version_4_uuids()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => RequestId.Next()).ToArray();

        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", id));
    }
}
