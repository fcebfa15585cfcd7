using ActorMesh.Config;
using ActorMesh.Runtime;
using Xunit;

namespace ActorMesh.Tests.Runtime;

/// <summary>layered_runtime: static and disk layers under the admin layer, the last layer with a key winning.</summary>
public sealed class RuntimeLayerTests
{
    [Fact]
    public void Later_layers_override_earlier_ones_and_the_admin_layer_overrides_all()
    {
        var directory = Directory.CreateTempSubdirectory("actormesh-runtime-");
        try
        {
            Directory.CreateDirectory(Path.Combine(directory.FullName, "fault", "http"));
            File.WriteAllText(Path.Combine(directory.FullName, "fault", "http", "max_active_faults"), "7\n");
            File.WriteAllText(Path.Combine(directory.FullName, "shared"), "disk");
            var runtime = new RuntimeLoader([
                new RuntimeLayerConfig("base", RuntimeLayerKind.Static)
                {
                    StaticValues = new[] { KeyValuePair.Create("shared", "static"), KeyValuePair.Create("only.static", "1") }.ToEquatableArray(),
                },
                new RuntimeLayerConfig("disk", RuntimeLayerKind.Disk) { DiskPath = directory.FullName },
                new RuntimeLayerConfig("admin", RuntimeLayerKind.Admin),
            ]);

            Assert.Equal("disk", runtime.Get("shared"));
            Assert.Equal("1", runtime.Get("only.static"));
            Assert.Equal("7", runtime.Get("fault.http.max_active_faults"));
            runtime.MergeValues([KeyValuePair.Create("shared", "admin")]);
            Assert.Equal("admin", runtime.Get("shared"));
            var snapshot = runtime.Snapshot();
            Assert.Equal(["base", "disk", "admin"], snapshot.Layers.ToArray());
            Assert.Equal(new string?[] { "static", "disk", "admin" }, snapshot.Entries["shared"].ToArray());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_missing_disk_layer_directory_is_an_empty_layer()
    {
        var runtime = new RuntimeLoader([new RuntimeLayerConfig("disk", RuntimeLayerKind.Disk) { DiskPath = "/nonexistent/actormesh/runtime" }]);

        Assert.Null(runtime.Get("anything"));
    }

    [Theory]
    [InlineData("100", true)]
    [InlineData("150", true)]
    [InlineData("0", false)]
    public void A_runtime_integer_is_a_percentage_over_the_default_fraction(string value, bool enabled)
    {
        var runtime = new RuntimeLoader();
        runtime.MergeValues([KeyValuePair.Create("k", value)]);

        Assert.Equal(enabled, RuntimeFeature.Enabled(runtime, "k", enabled ? 0 : 1_000_000, FractionDenominator.Million));
    }
}
