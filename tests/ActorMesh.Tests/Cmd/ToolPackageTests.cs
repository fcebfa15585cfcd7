using System.IO.Compression;
using System.Runtime.InteropServices;
using ActorMesh.Tests.Commands;
using ActorMesh.Tests.Mesh;
using ActorMesh.Tests.Support;
using Xunit;

namespace ActorMesh.Tests.Cmd;

/// <summary>
/// <c>actormesh-cmd</c> as a .NET tool: packed from the build under test, installed with <c>--tool-path</c> from that
/// package alone, and the installed command run against a real node.
/// </summary>
public sealed class ToolPackageTests(StandaloneNodeFixture fixture) : IClassFixture<StandaloneNodeFixture>
{
    private static readonly TimeSpan Slow = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_packed_tool_holds_the_library_installs_with_a_tool_path_and_runs_against_a_node()
    {
        using var work = new TempDirectory();
        var feed = Path.Combine(work.Path, "feed");
        var project = Path.Combine(NodeProcess.RepositoryRoot, "src", "ActorMesh.Cmd", "ActorMesh.Cmd.csproj");
        // The build under test is packed as it is; the pack's publish step writes to the temp directory, not the tree.
        var pack = await ExternalProcess.RunAsync("dotnet", ["pack", project, "-c", CmdProcess.Configuration, "--no-build", "-o", feed, $"-p:PublishDir={work.Path}/publish/"], Slow);
        Assert.True(pack.Exit == 0, pack.ToString());
        var package = Assert.Single(Directory.GetFiles(feed, "ActorMesh.Cmd.*.nupkg"));
        using (var zip = ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.Contains("tools/net10.0/any/actormesh-cmd.dll", entries);
            Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", entries);
            // The library the client references travels inside the tool, with the packages it needs.
            Assert.Contains("tools/net10.0/any/ActorMesh.Core.dll", entries);
            Assert.Contains("tools/net10.0/any/Akka.dll", entries);
        }

        // Only the package just made is a source, and NuGet's cache is the test's own: nothing older can stand in.
        var config = Path.Combine(work.Path, "nuget.config");
        await File.WriteAllTextAsync(config, "<configuration><packageSources><clear /></packageSources></configuration>");
        var tools = Path.Combine(work.Path, "tools");
        var install = await ExternalProcess.RunAsync(
            "dotnet", ["tool", "install", "ActorMesh.Cmd", "--tool-path", tools, "--add-source", feed, "--configfile", config], Slow,
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work.Path, "packages") });
        Assert.True(install.Exit == 0, install.ToString());

        var environment = new Dictionary<string, string> { ["DOTNET_ROOT"] = DotnetRoot(), ["ACTORMESH_CMD_TOKEN"] = "" };
        var show = await ExternalProcess.RunAsync(Path.Combine(tools, "actormesh-cmd"), [$"127.0.0.1:{fixture.Node.CmdPort}", "cluster", "show"], Slow, environment);
        Assert.True(show.Exit == 0, show.ToString());
        Assert.Matches(@"akka\.tcp://actormesh@127\.0\.0\.1:\d+\s+Up\s+0\.1\.0\s+reachable", show.Stdout);

        var typo = await ExternalProcess.RunAsync(Path.Combine(tools, "actormesh-cmd"), [$"127.0.0.1:{fixture.Node.CmdPort}", "mesh", "stat"], Slow, environment);
        Assert.Equal(2, typo.Exit);
        Assert.Contains("did you mean 'mesh stats'?", typo.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The dotnet installation running these tests (…/shared/Microsoft.NETCore.App/VERSION/ is three levels below it).</summary>
    private static string DotnetRoot() => new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory()).Parent!.Parent!.Parent!.FullName;
}
