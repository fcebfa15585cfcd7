using System.Text;
using ActorMesh.Config;
using ActorMesh.Mesh;
using Akka.Actor;
using Xunit;
using static ActorMesh.Mesh.ConfigStoreProtocol;

namespace ActorMesh.Tests.Mesh;

public sealed class ConfigStoreSerializerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 3, 30, 0, TimeSpan.FromHours(1));
    private static readonly ConfigVersion Entry = new(2, "static_resources: {}\n", "bob", At, "why", ConfigChangeKind.RolledBack, 1);

    private ActorSystem _system = null!;

    /// <summary>One of each message, with optional fields both set and unset.</summary>
    public static TheoryData<IConfigStoreMessage> Messages => new()
    {
        new ConfigApplied(1, "yaml: ü\n", "alice", At, "first"),
        new ConfigApplied(1, "yaml", "alice", At, null),
        new RolledBack(3, 1, "yaml", "carol", At, null),
        new ConfigStoreSnapshot(new[] { Entry, Entry with { Version = 1, Kind = ConfigChangeKind.Applied, RolledBackTo = null, Comment = null } }.ToEquatableArray()),
        new ConfigStoreSnapshot(EquatableArray<ConfigVersion>.Empty),
        new Apply("yaml", "alice", "c"),
        new FirstStart("yaml", "node-1"),
        new CatchUp(7, "static_resources: {}\n", "mesh"),
        new Import(new[] { Entry }.ToEquatableArray()),
        GetCurrent.Instance,
        new GetVersion(7),
        GetHistory.Instance,
        new Diff(1, 2),
        new Rollback(1, "carol", null),
        new Accepted(4, Created: false),
        new Rejected(new[] { "$ (line 1): empty configuration", "x (line 2): y" }.ToEquatableArray()),
        new KeptCurrent(5),
        new Current(Entry),
        new Current(null),
        new VersionFound(Entry),
        new UnknownVersion(9, "version 9 does not exist"),
        new History(new[] { Entry.ToHistoryEntry() }.ToEquatableArray()),
        new DiffResult(1, 2, "--- version 1\n+++ version 2\n"),
        new VersionCommitted(3, "yaml"),
    };

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("serializer-test", ConfigStorePersistence.Defaults);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _system.Terminate();

    [Theory]
    [MemberData(nameof(Messages))]
    public void Akka_picks_the_config_store_serializer_and_it_round_trips(IConfigStoreMessage message)
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<ConfigStoreSerializer>(serializer);
        Assert.Equal(ConfigStoreSerializer.SerializerIdentifier, serializer.Identifier);

        var bytes = serializer.ToBinary(message);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        var back = _system.Serialization.Deserialize(bytes, serializer.Identifier, manifest);

        Assert.Equal(message, back);
        Assert.EndsWith("-v1", manifest, StringComparison.Ordinal);
        // No CLR type names in the payload: the manifest alone picks the type.
        Assert.DoesNotContain("ActorMesh", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_config_store_message_type_has_a_sample_and_a_unique_manifest()
    {
        var types = typeof(IConfigStoreMessage).Assembly.GetTypes()
            .Where(t => typeof(IConfigStoreMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
            .ToHashSet();
        var samples = Messages.Cast<object[]>().Select(row => (IConfigStoreMessage)row[0]).ToList();

        Assert.Equal(types.OrderBy(t => t.Name), samples.Select(m => m.GetType()).Distinct().OrderBy(t => t.Name));
        var serializer = (ConfigStoreSerializer)_system.Serialization.FindSerializerForType(typeof(Apply));
        Assert.Equal(types.Count, types.Select(t => serializer.Manifest(samples.First(m => m.GetType() == t))).Distinct().Count());
    }

    [Fact]
    public void An_unknown_manifest_is_an_error()
    {
        var serializer = (ConfigStoreSerializer)_system.Serialization.FindSerializerForType(typeof(Apply));

        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([], "apply-v99"));
    }
}
