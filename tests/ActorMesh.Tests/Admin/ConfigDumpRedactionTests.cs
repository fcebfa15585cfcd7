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
    public void A_null_secret_stays_null()
    {
        var json = ConfigDumpRedaction.Default.Serialize(new TokenConfig("n", null, 0, new Dictionary<string, string>()));
        Assert.Null(json["token"]);
        Assert.IsType<JsonObject>(json);
    }
}
