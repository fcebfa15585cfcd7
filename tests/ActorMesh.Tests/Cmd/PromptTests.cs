using System.Text.RegularExpressions;
using ActorMesh.Cmd.Prompt;
using ActorMesh.Tests.Commands;
using ActorMesh.Tests.Mesh;
using ActorMesh.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ActorMesh.Tests.Cmd;

/// <summary>
/// <c>actormesh-cmd HOST:PORT</c> without a command against a real standalone node: the interactive prompt driven in a
/// real pseudo-terminal (tmux) as a person types, and the same prompt reading a script piped to it.
/// </summary>
public sealed class PromptTests(StandaloneNodeFixture fixture, ITestOutputHelper output) : IClassFixture<StandaloneNodeFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private int Port => fixture.Node.CmdPort;

    /// <summary>The prompt as the screen shows it (lines are read with trailing blanks cut).</summary>
    private string Prompt => $"actormesh 127.0.0.1:{Port}>";

    [Fact]
    public async Task Tab_completes_modules_commands_switches_and_allowed_values_and_a_second_tab_lists_the_candidates()
    {
        using var home = new TempDirectory();
        using var terminal = await OpenAsync(home);
        if (terminal is null)
        {
            return;
        }
        await CompletesAsync(terminal, "clu", "cluster");
        await CompletesAsync(terminal, "s", "cluster show");
        await ClearAsync(terminal);
        await CompletesAsync(terminal, "mesh stats --c", "mesh stats --cluster-wide");
        await ClearAsync(terminal);
        await CompletesAsync(terminal, "log level deb", "log level debug");
        await ClearAsync(terminal);
        await CompletesAsync(terminal, "help mesh st", "help mesh stats");
        await ClearAsync(terminal);

        // Several candidates: the first Tab completes what they share, the second lists them under the line.
        await CompletesAsync(terminal, "cluster d", "cluster down");
        terminal.Keys("Tab");
        await terminal.WaitFor(screen => Lines(screen).Any(l => Regex.IsMatch(l, @"^down\s+down-unreachable$")), "the list of cluster d…", Bound);
        await terminal.WaitForLine($"{Prompt} cluster down", Bound);
        await ClearAsync(terminal);
        terminal.Type("mesh ");
        terminal.Keys("Tab", "Tab");
        await terminal.WaitFor(screen => Lines(screen).Any(l => Regex.IsMatch(l, @"^clusters\s+listeners\s+routes\s+stats\s+top$")), "the mesh commands listed", Bound);
        await terminal.WaitForLine($"{Prompt} mesh", Bound);

        // What completion wrote is a command like any other.
        await ClearAsync(terminal);
        await CompletesAsync(terminal, "cluster s", "cluster show");
        terminal.Keys("Enter");
        var screen = await terminal.WaitForCount(Prompt, Count(terminal.Screen(), Prompt) + 1, Bound);
        Assert.Matches(@"akka\.tcp://actormesh@127\.0\.0\.1:\d+\s+Up", screen);
    }

    [Fact]
    public async Task Up_recalls_the_previous_command_running_it_gives_the_same_output_and_the_history_outlives_the_session()
    {
        using var home = new TempDirectory();
        using (var first = await OpenAsync(home))
        {
            if (first is null)
            {
                return;
            }
            var before = await RunAsync(first, "mesh listeners");
            first.Keys("Up");
            await first.WaitForLine($"{Prompt} mesh listeners", Bound);
            first.Keys("Enter");
            var screen = await first.WaitForCount(Prompt, 3, Bound);
            var blocks = OutputBlocks(screen);
            Assert.Contains("ingress_http", before, StringComparison.Ordinal);
            Assert.Equal(before, blocks[1]);

            first.Keys("C-d");
            Assert.Equal(0, await first.WaitForExit(Bound));
        }
        // Run twice in a row, kept once.
        Assert.Equal(["mesh listeners"], await File.ReadAllLinesAsync(Path.Combine(home.Path, CommandHistory.FileName)));

        using var second = await OpenAsync(home);
        second!.Keys("Up");
        await second.WaitForLine($"{Prompt} mesh listeners", Bound);
        second.Keys("C-u");
        await second.WaitForLine(Prompt, Bound);
        second.Type("exit");
        second.Keys("Enter");
        Assert.Equal(0, await second.WaitForExit(Bound));
    }

    [Fact]
    public async Task Help_shows_a_command_s_arguments_an_error_keeps_the_prompt_and_ctrl_c_drops_the_line()
    {
        using var home = new TempDirectory();
        using var terminal = await OpenAsync(home);
        if (terminal is null)
        {
            return;
        }
        var help = await RunAsync(terminal, "help mesh stats");
        Assert.Contains("mesh stats [--filter REGEX] [--cluster-wide]", help, StringComparison.Ordinal);
        Assert.Matches(@"-f, --filter REGEX\s+a regex a stat's name must contain a match of", help);
        Assert.Matches(@"--cluster-wide\s+sum each stat over every member of the cluster", help);

        var unknown = await RunAsync(terminal, "mesh stat");
        Assert.Contains("actormesh-cmd: unknown command 'mesh stat'; mesh commands: listeners, routes, clusters, stats, top; did you mean 'mesh stats'?", unknown, StringComparison.Ordinal);

        terminal.Type("half a command");
        await terminal.WaitForLine($"{Prompt} half a command", Bound);
        terminal.Keys("C-c");
        await terminal.WaitFor(screen => screen.EndsWith($"{Prompt} half a command^C\n{Prompt}", StringComparison.Ordinal), "the line dropped with ^C", Bound);

        var after = await RunAsync(terminal, "mesh listeners");
        Assert.Contains("ingress_http", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_c_stops_cluster_tail_and_returns_to_the_prompt_and_ctrl_d_leaves_with_0()
    {
        using var home = new TempDirectory();
        using var terminal = await OpenAsync(home);
        if (terminal is null)
        {
            return;
        }
        terminal.Type("cluster tail");
        terminal.Keys("Enter");
        await terminal.WaitFor(screen => screen.Contains("watching membership events", StringComparison.Ordinal), "cluster tail running", Bound);
        terminal.Keys("C-c");
        await terminal.WaitForCount(Prompt, 2, Bound);
        await terminal.WaitForLine(Prompt, Bound);

        var after = await RunAsync(terminal, "mesh listeners");
        Assert.Contains("ingress_http", after, StringComparison.Ordinal);
        terminal.Keys("C-d");
        Assert.Equal(0, await terminal.WaitForExit(Bound));
    }

    [Fact]
    public async Task Tables_fit_a_narrow_terminal_with_an_ellipsis()
    {
        const int width = 70;
        using var home = new TempDirectory();
        using var terminal = await OpenAsync(home, width);
        if (terminal is null)
        {
            return;
        }
        var table = await RunAsync(terminal, "cluster show");
        var lines = table.Split('\n');
        Assert.True(lines.All(l => l.Length <= width), table);
        Assert.Contains("…", lines[2], StringComparison.Ordinal);
        Assert.Matches(@"\s+Up\s+", lines[2]);
    }

    [Fact]
    public async Task A_piped_script_runs_every_line_at_full_width_and_exits_with_the_last_failure()
    {
        var script = await CmdProcess.RunScriptAsync(Port, "# a script\ncluster show\n\n  mesh listeners\nhelp log level\n");
        Assert.True(script.Exit == 0, script.ToString());
        Assert.Matches(new Regex(@"^akka\.tcp://actormesh@127\.0\.0\.1:\d+\s+Up\s+0\.1\.0\s+reachable", RegexOptions.Multiline), script.Stdout);
        Assert.Contains("ingress_http", script.Stdout, StringComparison.Ordinal);
        Assert.Contains("LEVEL   the level; one of: trace, debug, info, warning, error, critical", script.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Prompt, script.Stdout, StringComparison.Ordinal);

        var failing = await CmdProcess.RunScriptAsync(Port, "mesh stat\nmesh routes -l nope\nmesh listeners\nexit\ncluster show\n");
        Assert.Equal(1, failing.Exit);
        Assert.Contains("did you mean 'mesh stats'?", failing.Stderr, StringComparison.Ordinal);
        Assert.Contains("no listener 'nope'; listeners: main", failing.Stderr, StringComparison.Ordinal);
        Assert.Contains("ingress_http", failing.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("reachable", failing.Stdout, StringComparison.Ordinal);

        var usage = await CmdProcess.RunScriptAsync(Port, "mesh listeners\nlog level 'loud\n", "--json");
        Assert.Equal(2, usage.Exit);
        Assert.Equal("main", (string?)usage.Json.Single()["name"]);
        Assert.Contains("a quote is not closed", usage.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The prompt in a terminal of its own, HOME in <paramref name="home"/>; null where tmux is missing outside CI.</summary>
    private async Task<TmuxTerminal?> OpenAsync(TempDirectory home, int width = 160)
    {
        var terminal = TmuxTerminal.Start(output, ["dotnet", CmdProcess.CmdDll, $"127.0.0.1:{Port}"], new Dictionary<string, string> { ["HOME"] = home.Path }, width);
        if (terminal is not null)
        {
            await terminal.WaitForLine(Prompt, Bound);
        }
        return terminal;
    }

    private async Task CompletesAsync(TmuxTerminal terminal, string typed, string completed)
    {
        terminal.Type(typed);
        terminal.Keys("Tab");
        await terminal.WaitForLine($"{Prompt} {completed}", Bound);
    }

    private Task ClearAsync(TmuxTerminal terminal)
    {
        terminal.Keys("C-u");
        return terminal.WaitForLine(Prompt, Bound);
    }

    /// <summary>Types <paramref name="command"/>, runs it and waits for the next prompt; what it printed.</summary>
    private async Task<string> RunAsync(TmuxTerminal terminal, string command)
    {
        var prompts = Count(terminal.Screen(), Prompt);
        terminal.Type(command);
        await terminal.WaitForLine($"{Prompt} {command}", Bound);
        terminal.Keys("Enter");
        var screen = await terminal.WaitForCount(Prompt, prompts + 1, Bound);
        return OutputBlocks(screen)[prompts - 1];
    }

    /// <summary>What each command printed: the lines between one prompt line and the next.</summary>
    private List<string> OutputBlocks(string screen)
    {
        var blocks = new List<string>();
        List<string>? block = null;
        foreach (var line in Lines(screen))
        {
            if (line.StartsWith(Prompt, StringComparison.Ordinal))
            {
                if (block is not null)
                {
                    blocks.Add(string.Join('\n', block));
                }
                block = [];
            }
            else
            {
                block?.Add(line);
            }
        }
        return blocks;
    }

    private static string[] Lines(string screen) => screen.Split('\n');

    private static int Count(string screen, string text) => TmuxTerminal.Count(screen, text);
}
