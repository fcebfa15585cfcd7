using System.Text.Json.Nodes;
using ActorMesh.Admin;
using ActorMesh.Config;
using Xunit;

namespace ActorMesh.Tests.Admin;

public sealed class ConfigDumpRedactionTests
{
    private sealed record TokenConfig(string Name, [property: Sensitive] string? Token, [property: Sensitive] int Pin, IReadOnlyDictionary<string, string> Extra);

    [Fact]
    public void Sensitive_properties_and_secret_looking_fields_are_redacted()
    {
        var json = ConfigDumpRedaction.Default.Serialize(new TokenConfig("n", "s3cr3t", 1234, new Dictionary<string, string> { ["password"] = "hunter2", ["user"] = "bob" }));
        Assert.Equal("n", json["name"]!.GetValue<string>());
        Assert.Equal("[redacted]", json["token"]!.GetValue<string>());
        Assert.False(json.AsObject().ContainsKey("pin"));
        Assert.Equal("[redacted]", json["extra"]!["password"]!.GetValue<string>());
        Assert.Equal("bob", json["extra"]!["user"]!.GetValue<string>());
        Assert.DoesNotContain("s3cr3t", json.ToJsonString());
        Assert.DoesNotContain("hunter2", json.ToJsonString());
    }

    [Fact]
    public void An_unset_secret_is_left_out_as_proto_json_leaves_out_unset_fields()
    {
        var json = Assert.IsType<JsonObject>(ConfigDumpRedaction.Default.Serialize(new TokenConfig("n", null, 0, new Dictionary<string, string>())));
        Assert.False(json.ContainsKey("token"));
        Assert.True(json.ContainsKey("name"));
    }
}
