using ActorMesh.Cmd.Prompt;
using ActorMesh.Tests.Mesh;
using Xunit;

namespace ActorMesh.Tests.Cmd.Prompt;

/// <summary>The prompt's history: walked with up and down, bounded, persisted, a repeat of the previous line kept once.</summary>
public sealed class CommandHistoryTests
{
    [Fact]
    public void Up_and_down_walk_the_entries_and_come_back_to_the_line_being_typed()
    {
        var history = CommandHistory.Load(null);
        history.Add("cluster show");
        history.Add("mesh stats");
        Assert.Equal("mesh stats", history.Previous("config hi"));
        Assert.Equal("cluster show", history.Previous("ignored"));
        Assert.Null(history.Previous("ignored"));
        Assert.Equal("mesh stats", history.Next());
        Assert.Equal("config hi", history.Next());
        Assert.Null(history.Next());
    }

    [Fact]
    public void A_line_repeating_the_previous_one_and_a_blank_line_are_not_kept()
    {
        var history = CommandHistory.Load(null);
        history.Add("mesh stats");
        history.Add("mesh stats ");
        history.Add("  ");
        history.Add("cluster show");
        history.Add("mesh stats");
        Assert.Equal(["mesh stats", "cluster show", "mesh stats"], history.Entries);
    }

    [Fact]
    public void The_file_keeps_the_last_entries_across_sessions_and_both_of_two_prompts_open_at_once()
    {
        using var home = new TempDirectory();
        var path = Path.Combine(home.Path, CommandHistory.FileName);
        var first = CommandHistory.Load(path);
        var second = CommandHistory.Load(path);
        for (var i = 0; i < CommandHistory.MaxEntries + 20; i++)
        {
            first.Add($"config show {i + 1}");
        }
        second.Add("cluster show");
        Assert.Equal(CommandHistory.MaxEntries, first.Entries.Count);

        var lines = File.ReadAllLines(path);
        Assert.Equal(CommandHistory.MaxEntries, lines.Length);
        Assert.Equal("config show 22", lines[0]);
        Assert.Equal("cluster show", lines[^1]);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        var later = CommandHistory.Load(path);
        Assert.Equal("cluster show", later.Previous(""));
        Assert.Equal($"config show {CommandHistory.MaxEntries + 20}", later.Previous(""));
    }

    [Fact]
    public void An_unwritable_history_costs_nothing_but_itself()
    {
        using var home = new TempDirectory();
        var history = CommandHistory.Load(Path.Combine(home.Path, "missing", "dir", CommandHistory.FileName));
        history.Add("cluster show");
        Assert.Equal(["cluster show"], history.Entries);
    }
}
