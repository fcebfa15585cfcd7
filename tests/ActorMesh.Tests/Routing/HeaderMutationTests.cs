using ActorMesh.Config;
using ActorMesh.Http;
using ActorMesh.Routing;
using Xunit;

namespace ActorMesh.Tests.Routing;

/// <summary>One level's evaluation order, as Envoy's HeaderParser::evaluateHeaders.</summary>
public sealed class HeaderMutationTests
{
    private static readonly StreamInfo Info = new() { StartTime = DateTimeOffset.UnixEpoch, StartTimestamp = 0 };

    private static HeaderValueOptionConfig Add(string key, string value, HeaderAppendAction action = HeaderAppendAction.AppendIfExistsOrAdd, bool keepEmpty = false) =>
        new(key, value, action, keepEmpty);

    private static string[] Apply(HttpHeaders headers, string[] remove, params HeaderValueOptionConfig[] adds)
    {
        var config = HeaderMutationConfig.None with { RequestHeadersToAdd = adds.ToEquatableArray(), RequestHeadersToRemove = remove.ToEquatableArray() };
        new HeaderMutation(config).ApplyToRequest(headers, Info);
        return headers.Items.Select(h => $"{h.Name}={h.Value}").ToArray();
    }

    [Fact]
    public void Removes_come_before_adds_so_a_level_can_replace_a_header()
    {
        var headers = new HttpHeaders();
        headers.Add("x-a", "client");
        Assert.Equal(["x-a=proxy"], Apply(headers, ["x-a"], Add("x-a", "proxy")));
    }

    [Fact]
    public void Add_if_absent_is_decided_before_the_level_adds_anything()
    {
        var headers = new HttpHeaders();
        Assert.Equal(["x-a=1", "x-a=2"], Apply(headers, [], Add("x-a", "1"), Add("x-a", "2", HeaderAppendAction.AddIfAbsent)));
    }

    [Fact]
    public void Overwrites_land_in_order_before_appends()
    {
        var headers = new HttpHeaders();
        headers.Add("x-o", "client");
        var result = Apply(headers, [],
            Add("x-o", "appended"),
            Add("x-o", "first", HeaderAppendAction.OverwriteIfExistsOrAdd),
            Add("x-o", "second", HeaderAppendAction.OverwriteIfExists),
            Add("x-none", "n", HeaderAppendAction.OverwriteIfExists));
        Assert.Equal(["x-o=second", "x-o=appended"], result);
    }

    [Fact]
    public void Empty_values_are_skipped_unless_kept()
    {
        var headers = new HttpHeaders();
        Assert.Equal(["x-kept="], Apply(headers, [], Add("x-skipped", "%REQ(x-absent)%"), Add("x-kept", "%REQ(x-absent)%", keepEmpty: true)));
    }
}
