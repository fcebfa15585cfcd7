using System.Diagnostics;
using System.Globalization;
using ActorMesh.Tests.Mesh;
using Xunit.Abstractions;

namespace ActorMesh.Tests.Support;

/// <summary>
/// A program run in a real pseudo-terminal by tmux (a server of its own, on a socket in a temp directory): keys are sent
/// as a person types them and the screen is read back as tmux rendered it. The program runs under <c>sh</c>, which
/// reaps it and writes its exit status to a file (tmux's own <c>pane_dead_status</c> is not reliably set).
/// </summary>
internal sealed class TmuxTerminal : IDisposable
{
    private const string Session = "console";
    private static readonly TimeSpan TmuxTimeout = TimeSpan.FromSeconds(30);

    private readonly string _tmux;
    private readonly TempDirectory _directory;
    private readonly int _panePid;

    private TmuxTerminal(string tmux, TempDirectory directory, int panePid)
    {
        _tmux = tmux;
        _directory = directory;
        _panePid = panePid;
    }

    private string Socket => Path.Combine(_directory.Path, "tmux.sock");

    private string StatusFile => Path.Combine(_directory.Path, "exit-status");

    /// <summary>
    /// Starts <paramref name="command"/> in a <paramref name="width"/>×<paramref name="height"/> terminal with
    /// <paramref name="environment"/> added; null when tmux is missing outside CI (<see cref="ExternalTool"/>).
    /// </summary>
    public static TmuxTerminal? Start(ITestOutputHelper output, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, int width = 160, int height = 50)
    {
        if (ExternalTool.Find("tmux", output, debianPackage: "tmux") is not { } tmux)
        {
            return null;
        }
        var directory = new TempDirectory();
        var config = Path.Combine(directory.Path, "tmux.conf");
        // A terminal type every terminfo database has; the pane stays after the program exits so its screen can be read.
        File.WriteAllText(config, "set -g default-terminal screen\nset -g remain-on-exit on\nset -g history-limit 10000\n");
        List<string> args =
        [
            "-f", config, "new-session", "-d", "-s", Session, "-x", width.ToString(CultureInfo.InvariantCulture), "-y", height.ToString(CultureInfo.InvariantCulture), "--",
            // A token in the test runner's environment must not leak into a console that means to send none.
            "env", "-u", "ACTORMESH_CMD_TOKEN", "STATUS_FILE=" + Path.Combine(directory.Path, "exit-status"), .. environment.Select(kv => $"{kv.Key}={kv.Value}"),
            // sh only waits: Ctrl-C interrupts the program, and sh's trap keeps sh alive to write the status.
            "sh", "-c", "trap : INT; \"$@\"; echo $? > \"$STATUS_FILE\"", "sh", .. command,
        ];
        var terminal = new TmuxTerminal(tmux, directory, 0);
        try
        {
            terminal.Run(args);
            var pid = int.Parse(terminal.Run(["display-message", "-p", "-t", Session, "#{pane_pid}"]).Trim(), CultureInfo.InvariantCulture);
            return new TmuxTerminal(tmux, directory, pid);
        }
        catch
        {
            terminal.Dispose();
            throw;
        }
    }

    /// <summary>Keys by tmux's names: <c>Tab</c>, <c>Up</c>, <c>Enter</c>, <c>C-c</c>, <c>C-d</c>.</summary>
    public void Keys(params string[] keys) => Run(["send-keys", "-t", Session, .. keys]);

    /// <summary>Text typed as it is.</summary>
    public void Type(string text) => Run(["send-keys", "-t", Session, "-l", text]);

    /// <summary>Everything the terminal showed, scrollback included, wrapped lines joined, trailing blanks cut.</summary>
    public string Screen() =>
        string.Join('\n', Run(["capture-pane", "-p", "-J", "-S", "-", "-t", Session]).Split('\n').Select(l => l.TrimEnd())).TrimEnd();

    /// <summary>The last line with anything on it: where the prompt and the line being edited are.</summary>
    public string CurrentLine() => Screen().Split('\n').LastOrDefault() ?? string.Empty;

    /// <summary>Polls the screen until <paramref name="condition"/> holds; the screen then.</summary>
    public async Task<string> WaitFor(Func<string, bool> condition, string what, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            var screen = Screen();
            if (condition(screen))
            {
                return screen;
            }
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"the terminal did not show {what}. screen:\n{screen}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the line being edited reads exactly <paramref name="line"/>.</summary>
    public Task<string> WaitForLine(string line, TimeSpan timeout) =>
        WaitFor(_ => CurrentLine() == line.TrimEnd(), $"the line '{line}'", timeout);

    /// <summary>Waits until <paramref name="text"/> was shown <paramref name="count"/> times (the n-th prompt).</summary>
    public Task<string> WaitForCount(string text, int count, TimeSpan timeout) =>
        WaitFor(screen => Count(screen, text) >= count, $"'{text}' {count} times", timeout);

    /// <summary>The program's exit status, once it exited.</summary>
    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!File.Exists(StatusFile) || (await File.ReadAllTextAsync(StatusFile)).Trim().Length == 0)
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"the program did not exit. screen:\n{Screen()}");
            }
            await Task.Delay(100);
        }
        return int.Parse((await File.ReadAllTextAsync(StatusFile)).Trim(), CultureInfo.InvariantCulture);
    }

    public static int Count(string screen, string text)
    {
        var count = 0;
        for (var at = screen.IndexOf(text, StringComparison.Ordinal); at >= 0; at = screen.IndexOf(text, at + text.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    public void Dispose()
    {
        if (_panePid > 0)
        {
            try
            {
                using var pane = Process.GetProcessById(_panePid);
                pane.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // It has exited already.
            }
        }
        try
        {
            Run(["kill-server"]);
        }
        catch (InvalidOperationException)
        {
            // No server left to stop.
        }
        _directory.Dispose();
    }

    private string Run(IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(_tmux) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Tests run from inside a developer's tmux still start a server of their own.
        info.Environment.Remove("TMUX");
        info.ArgumentList.Add("-S");
        info.ArgumentList.Add(Socket);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TmuxTimeout))
        {
            process.Kill();
            throw new InvalidOperationException("tmux " + string.Join(' ', args) + " did not return");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result}");
        }
        return stdout.Result;
    }
}
