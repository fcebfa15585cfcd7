using ActorMesh.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ActorMesh.Tests.Docker;

/// <summary>
/// No Docker engine runs where the tests do, so the files in docker/ are checked by what can read them: the compose
/// file by <c>docker-compose config</c> (Debian's package; <c>.ci/run</c> installs it), the config by the node itself.
/// </summary>
public sealed class DockerFilesTests
{
    private static readonly string DockerDir = Path.Combine(NodeProcess.RepositoryRoot, "docker");

    private readonly ITestOutputHelper _output;

    public DockerFilesTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task The_compose_file_is_valid_for_docker_compose()
    {
        if (ExternalTool.Find("docker-compose", _output, "docker-compose") is not { } tool)
        {
            return;
        }
        var (exit, output) = await RunAsync(tool, "-f", Path.Combine(DockerDir, "compose.yaml"), "config", "-q");
        Assert.True(exit == 0, output);
    }

    [Fact]
    public async Task The_compose_file_names_three_seeded_nodes_postgres_and_two_upstreams()
    {
        if (ExternalTool.Find("docker-compose", _output, "docker-compose") is not { } tool)
        {
            return;
        }
        var (exit, services) = await RunAsync(tool, "-f", Path.Combine(DockerDir, "compose.yaml"), "config", "--services");
        Assert.True(exit == 0, services);
        Assert.Equal(["node1", "node2", "node3", "postgres", "upstream-blue", "upstream-green"],
            services.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order());
        var (_, resolved) = await RunAsync(tool, "-f", Path.Combine(DockerDir, "compose.yaml"), "config");
        Assert.Contains("ACTORMESH_POSTGRES: Host=postgres", resolved, StringComparison.Ordinal);
        Assert.Contains("akka.tcp://actormesh@node1:4053,akka.tcp://actormesh@node2:4053,akka.tcp://actormesh@node3:4053", resolved, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_config_passes_validate_mode()
    {
        var (exit, output) = await RunAsync("dotnet", NodeProcess.NodeDll, "--mode", "validate", "-c", Path.Combine(DockerDir, "envoy.yaml"));
        Assert.True(exit == 0, output);
        Assert.Contains("OK", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_image_runs_as_a_non_root_user_and_exposes_the_proxy_admin_and_remoting_ports()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(DockerDir, "Dockerfile"));
        var runtimeStage = dockerfile.SkipWhile(l => !l.StartsWith("FROM mcr.microsoft.com/dotnet/runtime", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(runtimeStage);
        Assert.Contains("USER $APP_UID", runtimeStage);
        Assert.Contains("EXPOSE 10000 9901 4053", runtimeStage);
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, params string[] args)
    {
        var run = await ExternalProcess.RunAsync(file, args, TimeSpan.FromSeconds(60));
        return (run.Exit, run.Stdout + run.Stderr);
    }
}
