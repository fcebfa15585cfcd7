using System.Text.RegularExpressions;
using ActorMesh.Tests.Mesh;
using ActorMesh.Tests.Support;

namespace ActorMesh.Tests.Commands;

/// <summary>
/// A real <c>actormesh</c> node process for console tests: its config in a temp directory, started with extra flags,
/// ready once it prints its command host; the ports it printed.
/// </summary>
internal sealed partial class ConsoleNode : IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Stands in a flag for the node's own temp directory (its <c>--data-dir</c>, say).</summary>
    public const string DirectoryPlaceholder = "{dir}";

    private ConsoleNode(NodeProcess process, TempDirectory directory)
    {
        Process = process;
        Directory = directory;
    }

    public NodeProcess Process { get; }

    public TempDirectory Directory { get; }

    public int CmdPort => Process.CommandPort;

    public int AdminPort => int.Parse(AdminLine().Match(Process.Stdout).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    public int ListenerPort(string name) =>
        int.Parse(Regex.Match(Process.Stdout, $@"listener {Regex.Escape(name)} on [0-9.]+:(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Starts a node serving <paramref name="yaml"/> (null: none, a mesh node that takes the cluster's version).</summary>
    public static async Task<ConsoleNode> StartAsync(string? yaml, params string[] flags)
    {
        var directory = new TempDirectory();
        var args = flags.Select(f => f.Replace(DirectoryPlaceholder, directory.Path, StringComparison.Ordinal)).ToList();
        if (yaml is not null)
        {
            var file = Path.Combine(directory.Path, "envoy.yaml");
            await File.WriteAllTextAsync(file, yaml);
            args.AddRange(["-c", file]);
        }
        var process = NodeProcess.Start([.. args]);
        var node = new ConsoleNode(process, directory);
        try
        {
            await process.WaitForOutput("command host on", StartTimeout);
            return node;
        }
        catch
        {
            node.Dispose();
            throw;
        }
    }

    /// <summary>Writes <paramref name="content"/> to a file in the node's temp directory; its path.</summary>
    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(Directory.Path, name);
        File.WriteAllText(path, content);
        return path;
    }

    public Task<CmdResult> Cmd(params string[] args) => CmdProcess.RunAsync(CmdPort, args);

    public void Dispose()
    {
        Process.Dispose();
        Directory.Dispose();
    }

    [GeneratedRegex(@"admin on [0-9.]+:(\d+)")]
    private static partial Regex AdminLine();
}
