using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace ActorMesh.Tests.Support;

/// <summary>The real <c>actormesh-cmd</c> client run as a child process (the built dll beside this test build).</summary>
internal sealed class CmdProcess : IDisposable
{
    private static readonly TimeSpan OneShotTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private CmdProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_stdout) { _stdout.AppendLine(e.Data); } } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_stderr) { _stderr.AppendLine(e.Data); } } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }

    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }

    public static string CmdDll
    {
        get
        {
            var testDir = new DirectoryInfo(AppContext.BaseDirectory);
            return Path.Combine(NodeProcess.RepositoryRoot, "src", "ActorMesh.Cmd", "bin", testDir.Parent!.Name, testDir.Name, "actormesh-cmd.dll");
        }
    }

    /// <summary>Starts <c>actormesh-cmd ARGS…</c>; <paramref name="environment"/> adds variables (the token).</summary>
    public static CmdProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(CmdDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        // A token in the test runner's environment must not leak into a test that means to send none.
        info.Environment.Remove("ACTORMESH_CMD_TOKEN");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        return new CmdProcess(Process.Start(info)!);
    }

    /// <summary>Runs one command to its end: exit code, stdout, stderr.</summary>
    public static async Task<CmdResult> RunAsync(int port, params string[] args) => await RunAsync(port, null, args);

    public static async Task<CmdResult> RunAsync(int port, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var cmd = Start([$"127.0.0.1:{port}", .. args], environment);
        var exit = await cmd.WaitForExit(OneShotTimeout);
        return new CmdResult(exit, cmd.Stdout, cmd.Stderr);
    }

    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Waits until stdout holds <paramref name="text"/>.</summary>
    public async Task WaitForOutput(string text, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"actormesh-cmd did not print '{text}'. stdout:\n{Stdout}\nstderr:\n{Stderr}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Ctrl-C.</summary>
    public void Interrupt() => NodeProcess.Posix.Kill(_process.Id, NodeProcess.Posix.Sigint);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}

/// <summary>What one <c>actormesh-cmd</c> run printed and returned.</summary>
internal sealed record CmdResult(int Exit, string Stdout, string Stderr)
{
    /// <summary><c>--json</c> output: one object a line.</summary>
    public IReadOnlyList<JsonObject> Json =>
        Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    public override string ToString() => $"exit {Exit}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
