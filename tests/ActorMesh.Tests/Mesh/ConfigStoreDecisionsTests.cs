using ActorMesh.Mesh;
using Xunit;
using static ActorMesh.Mesh.ConfigStoreProtocol;

namespace ActorMesh.Tests.Mesh;

public sealed class ConfigStoreDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 4, 0, 0, TimeSpan.Zero);

    private static ConfigStoreState WithVersions(params int[] ports)
    {
        var state = ConfigStoreState.Empty;
        foreach (var port in ports)
        {
            state = state.Apply(new ConfigApplied(state.NextVersion, MeshConfigs.Valid(port), "alice", Now, null));
        }
        return state;
    }

    [Fact]
    public void Valid_config_becomes_the_next_version()
    {
        var decision = ConfigStoreDecisions.Apply(WithVersions(8080), MeshConfigs.Valid(8081), "bob", "why", Now);

        Assert.Equal(new ConfigApplied(2, MeshConfigs.Valid(8081), "bob", Now, "why"), decision.ToPersist);
        Assert.Null(decision.Reply);
    }

    [Fact]
    public void Invalid_config_is_rejected_with_every_error_and_its_line()
    {
        var decision = ConfigStoreDecisions.Apply(ConfigStoreState.Empty, MeshConfigs.Invalid, "bob", null, Now);

        Assert.Null(decision.ToPersist);
        var rejected = Assert.IsType<Rejected>(decision.Reply);
        Assert.Equal([MeshConfigs.InvalidErrorPrefix + ": unknown field"], rejected.Errors);
    }

    [Fact]
    public void Identical_config_makes_no_new_version_but_a_changed_byte_does()
    {
        var state = WithVersions(8080, 8081);

        Assert.Equal(new Accepted(2, Created: false), ConfigStoreDecisions.Apply(state, MeshConfigs.Valid(8081), "bob", null, Now).Reply);
        // Identical to an older version, not the current one: a new version.
        Assert.IsType<ConfigApplied>(ConfigStoreDecisions.Apply(state, MeshConfigs.Valid(8080), "bob", null, Now).ToPersist);
        Assert.IsType<ConfigApplied>(ConfigStoreDecisions.Apply(state, MeshConfigs.Valid(8081) + "# note\n", "bob", null, Now).ToPersist);
    }

    [Fact]
    public void Rollback_to_the_current_content_is_still_a_new_version()
    {
        var decision = ConfigStoreDecisions.Rollback(WithVersions(8080), 1, "carol", null, Now);

        Assert.Equal(new RolledBack(2, 1, MeshConfigs.Valid(8080), "carol", Now, null), decision.ToPersist);
    }

    [Fact]
    public void Rollback_revalidates_the_old_content()
    {
        // A version stored when the validator was laxer (written here straight into the state).
        var state = ConfigStoreState.Empty.Apply(new ConfigApplied(1, MeshConfigs.Invalid, "alice", Now, null));

        Assert.IsType<Rejected>(ConfigStoreDecisions.Rollback(state, 1, "carol", null, Now).Reply);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(-1)]
    public void Unknown_versions_are_named_in_the_reply(long version)
    {
        var state = WithVersions(8080, 8081);
        var expected = new UnknownVersion(version, $"version {version} does not exist: the config store has versions 1 to 2");

        Assert.Equal(expected, ConfigStoreDecisions.Rollback(state, version, "carol", null, Now).Reply);
        Assert.Equal(expected, ConfigStoreDecisions.GetVersion(state, version));
        Assert.Equal(expected, ConfigStoreDecisions.Diff(state, version, 1));
        Assert.Equal(expected, ConfigStoreDecisions.Diff(state, 1, version));
    }

    [Fact]
    public void Unknown_version_on_an_empty_store_says_it_is_empty()
    {
        Assert.Equal(
            new UnknownVersion(1, "version 1 does not exist: the config store is empty"),
            ConfigStoreDecisions.GetVersion(ConfigStoreState.Empty, 1));
    }

    [Fact]
    public void First_start_keeps_a_stored_version()
    {
        Assert.Equal(new KeptCurrent(2), ConfigStoreDecisions.FirstStart(WithVersions(8080, 8081), MeshConfigs.Valid(9999), "node", Now).Reply);
        Assert.Equal(
            new ConfigApplied(1, MeshConfigs.Valid(9999), "node", Now, "first start"),
            ConfigStoreDecisions.FirstStart(ConfigStoreState.Empty, MeshConfigs.Valid(9999), "node", Now).ToPersist);
    }

    [Fact]
    public void State_round_trips_through_its_snapshot_and_refuses_gaps()
    {
        var state = WithVersions(8080, 8081).Apply(new RolledBack(3, 1, MeshConfigs.Valid(8080), "carol", Now, null));

        Assert.Equal(state, ConfigStoreState.FromSnapshot(state.ToSnapshot()));
        Assert.Equal([1L, 2L, 3L], state.History.Select(h => h.Version));
        Assert.Throws<InvalidOperationException>(() => state.Apply(new ConfigApplied(5, "x", "a", Now, null)));
    }
}
