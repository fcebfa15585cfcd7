using ActorMesh.Config;
using ActorMesh.Mesh;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.Serialization;
using Xunit;
using static ActorMesh.Mesh.ConfigStoreProtocol;

namespace ActorMesh.Tests.Mesh;

/// <summary>
/// Everything a mesh node sends to another goes through an explicit serializer: the ConfigStore protocol through the
/// singleton proxy (ours), and the routing table's and status map's values (Akka's DData serializer, strings inside).
/// Never the Newtonsoft or Hyperion fallback.
/// </summary>
public sealed class MeshSerializationTests : IAsyncLifetime
{
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        var config = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            """).WithFallback(MeshSettings.Hocon).WithFallback(ConfigStorePersistence.Defaults);
        _system = ActorSystem.Create("actormesh", config);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _system.Terminate();

    /// <summary>What crosses the network through the singleton proxy, both ways.</summary>
    public static TheoryData<object> StoreMessages => new()
    {
        new Apply("static_resources: {}\n", "admin@akka.tcp://actormesh@127.0.0.1:4053", null),
        new FirstStart("static_resources: {}\n", "file@akka.tcp://actormesh@127.0.0.1:4053"),
        new Accepted(3, Created: true),
        new Rejected(new[] { "static_resources.listeners[0].bogus (line 7): unknown field" }.ToEquatableArray()),
        new KeptCurrent(3),
        GetCurrent.Instance,
    };

    [Theory]
    [MemberData(nameof(StoreMessages))]
    public void Store_messages_round_trip_through_the_config_store_serializer(object message)
    {
        var (serializer, back) = RoundTrip(message);

        Assert.IsType<ConfigStoreSerializer>(serializer);
        Assert.Equal(message, back);
    }

    [Fact]
    public void A_resource_register_round_trips_through_akkas_ddata_serializer()
    {
        var self = Cluster.Get(_system).SelfUniqueAddress;
        var register = new LWWRegister<string>(self, "name: web\naddress: {}\n", 7);

        var (serializer, back) = RoundTrip(register);

        AssertAkkaOwn(serializer);
        var copy = Assert.IsType<LWWRegister<string>>(back);
        Assert.Equal(register.Value, copy.Value);
        Assert.Equal(7, copy.Timestamp);
    }

    [Fact]
    public void The_version_manifest_round_trips_as_register_text()
    {
        var self = Cluster.Get(_system).SelfUniqueAddress;
        var manifest = new MeshManifest(4, [new MeshResourceRef("listener/web", "abc"), new MeshResourceRef("cluster/app", "def")]);

        var (serializer, back) = RoundTrip(new LWWRegister<string>(self, manifest.ToJson(), 4));

        AssertAkkaOwn(serializer);
        var copy = MeshManifest.FromJson(Assert.IsType<LWWRegister<string>>(back).Value)!;
        Assert.Equal(manifest.Version, copy.Version);
        Assert.Equal(manifest.Resources, copy.Resources);
    }

    [Fact]
    public void A_node_status_register_round_trips_through_akkas_ddata_serializer()
    {
        var cluster = Cluster.Get(_system);
        var status = new MeshNodeStatus("akka.tcp://actormesh@127.0.0.1:4053", 5, "mesh", DateTimeOffset.UnixEpoch, new MeshNodeNack(6, "mesh", "cannot bind", DateTimeOffset.UnixEpoch));

        var (serializer, back) = RoundTrip(new LWWRegister<string>(cluster.SelfUniqueAddress, status.ToJson()));

        AssertAkkaOwn(serializer);
        Assert.Equal(status, MeshNodeStatus.FromJson(Assert.IsType<LWWRegister<string>>(back).Value));
    }

    private (Serializer Serializer, object Back) RoundTrip(object message)
    {
        var serialization = _system.Serialization;
        var serializer = serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        var manifest = Serialization.ManifestFor(serializer, message);
        return (serializer, serialization.Deserialize(bytes, serializer.Identifier, manifest));
    }

    private static void AssertAkkaOwn(Serializer serializer)
    {
        Assert.StartsWith("Akka.DistributedData.Serialization.", serializer.GetType().FullName, StringComparison.Ordinal);
        Assert.DoesNotContain("Newtonsoft", serializer.GetType().FullName, StringComparison.Ordinal);
        Assert.DoesNotContain("Hyperion", serializer.GetType().FullName, StringComparison.Ordinal);
    }
}
