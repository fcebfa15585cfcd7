using System.Diagnostics;
using System.Text;

namespace ActorMesh.Tests.Support;

/// <summary>The real <c>actormesh</c> executable run as a child process, stopped by its PID when disposed.</summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private NodeProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { lock (_stdout) { _stdout.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_stderr) { _stderr.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }

    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }

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
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(NodeDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        // Nodes run side by side in tests: each command host takes any free port unless the test chose one.
        if (!args.Contains("--cmd-port"))
        {
            info.ArgumentList.Add("--cmd-port");
            info.ArgumentList.Add("0");
        }
        return new NodeProcess(Process.Start(info)!);
    }

    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Waits until the node printed <paramref name="text"/> on stdout (it prints its bound listeners).</summary>
    public async Task WaitForOutput(string text, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"node did not print '{text}'. stdout:\n{Stdout}\nstderr:\n{Stderr}");
            }
            await Task.Delay(50);
        }
    }

    public void SendSigterm() => Posix.Kill(_process.Id, Posix.Sigterm);

    /// <summary>The command host's port, from the node's <c>command host on HOST:PORT</c> line.</summary>
    public int CommandPort => int.Parse(System.Text.RegularExpressions.Regex.Match(Stdout, @"command host on [^\s]+:(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    public void SendSighup() => Posix.Kill(_process.Id, Posix.Sighup);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }

    internal static class Posix
    {
        public const int Sighup = 1;
        public const int Sigint = 2;
        public const int Sigterm = 15;

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
