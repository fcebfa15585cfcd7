using System.Diagnostics;
using System.Text;

namespace ActorMesh.Tests.Support;

/// <summary>A <c>dotnet</c> child process whose output is captured, killed (with its tree) when disposed if still running.</summary>
internal abstract class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    protected ChildProcess(Process process, string name)
    {
        _process = process;
        Name = name;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }

    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }

    private string Name { get; }

    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Waits until stdout holds <paramref name="text"/>; fails at once if the process exits first.</summary>
    public async Task WaitForOutput(string text, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"{Name} did not print '{text}'. stdout:\n{Stdout}\nstderr:\n{Stderr}");
            }
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }

    /// <summary><c>dotnet DLL ARGS…</c> with both outputs redirected.</summary>
    protected static ProcessStartInfo DotnetStartInfo(string dll, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        return info;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
