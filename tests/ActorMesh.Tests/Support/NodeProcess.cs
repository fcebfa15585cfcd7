using System.Diagnostics;

namespace ActorMesh.Tests.Support;

/// <summary>The real <c>actormesh</c> executable run as a child process, stopped by its PID when disposed.</summary>
internal sealed class NodeProcess : ChildProcess
{
    private NodeProcess(Process process) : base(process, "node") { }

    /// <summary>The node's build output beside this test build (same configuration).</summary>
    public static string NodeDll
    {
        get
        {
            var testDir = new DirectoryInfo(AppContext.BaseDirectory);
            return Path.Combine(RepositoryRoot, "src", "ActorMesh.Node", "bin", testDir.Parent!.Name, testDir.Name, "actormesh.dll");
        }
    }

    /// <summary>The checkout these tests were built from (the folder holding ActorMesh.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ActorMesh.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new FileNotFoundException("repository root not found above " + AppContext.BaseDirectory);
        }
    }

    public static NodeProcess Start(params string[] args)
    {
        var info = DotnetStartInfo(NodeDll, args);
        // Nodes run side by side in tests: each command host takes any free port unless the test chose one.
        if (!args.Contains("--cmd-port"))
        {
            info.ArgumentList.Add("--cmd-port");
            info.ArgumentList.Add("0");
        }
        return new NodeProcess(Process.Start(info)!);
    }

    public void SendSigterm() => Posix.Kill(Pid, Posix.Sigterm);

    /// <summary>The command host's port, from the node's <c>command host on HOST:PORT</c> line.</summary>
    public int CommandPort => int.Parse(System.Text.RegularExpressions.Regex.Match(Stdout, @"command host on [^\s]+:(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    public void SendSighup() => Posix.Kill(Pid, Posix.Sighup);

    internal static class Posix
    {
        public const int Sighup = 1;
        public const int Sigint = 2;
        public const int Sigterm = 15;

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
