using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ActorMesh.Tests.Support;

/// <summary>The real <c>actormesh-cmd</c> client run as a child process (the built dll beside this test build).</summary>
internal sealed class CmdProcess : ChildProcess
{
    private static readonly TimeSpan OneShotTimeout = TimeSpan.FromSeconds(60);

    private CmdProcess(Process process) : base(process, "actormesh-cmd") { }

    public static string CmdDll =>
        Path.Combine(NodeProcess.RepositoryRoot, "src", "ActorMesh.Cmd", "bin", Configuration, new DirectoryInfo(AppContext.BaseDirectory).Name, "actormesh-cmd.dll");

    /// <summary>The configuration these tests were built in (Release, Debug), and so the client beside them.</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    /// <summary>
    /// Starts <c>actormesh-cmd ARGS…</c>; <paramref name="environment"/> adds variables (the token). Its standard input is
    /// a pipe, never the test runner's terminal: <paramref name="input"/> is written to it, then it is closed.
    /// </summary>
    public static CmdProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string input = "")
    {
        var info = DotnetStartInfo(CmdDll, args);
        info.RedirectStandardInput = true;
        // A token in the test runner's environment must not leak into a test that means to send none.
        info.Environment.Remove("ACTORMESH_CMD_TOKEN");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        var process = Process.Start(info)!;
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        return new CmdProcess(process);
    }

    /// <summary>Runs one command to its end: exit code, stdout, stderr.</summary>
    public static async Task<CmdResult> RunAsync(int port, params string[] args) => await RunAsync(port, null, args);

    public static async Task<CmdResult> RunAsync(int port, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var cmd = Start([$"127.0.0.1:{port}", .. args], environment);
        var exit = await cmd.WaitForExit(OneShotTimeout);
        return new CmdResult(exit, cmd.Stdout, cmd.Stderr);
    }

    /// <summary>The prompt with <paramref name="script"/> piped to it: each line a command.</summary>
    public static async Task<CmdResult> RunScriptAsync(int port, string script, params string[] args)
    {
        using var cmd = Start([$"127.0.0.1:{port}", .. args], input: script);
        var exit = await cmd.WaitForExit(OneShotTimeout);
        return new CmdResult(exit, cmd.Stdout, cmd.Stderr);
    }

    /// <summary>Ctrl-C.</summary>
    public void Interrupt() => NodeProcess.Posix.Kill(Pid, NodeProcess.Posix.Sigint);
}

/// <summary>What one <c>actormesh-cmd</c> run printed and returned.</summary>
internal sealed record CmdResult(int Exit, string Stdout, string Stderr)
{
    /// <summary><c>--json</c> output: one object a line.</summary>
    public IReadOnlyList<JsonObject> Json =>
        Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    public override string ToString() => $"exit {Exit}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
