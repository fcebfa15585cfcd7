using ActorMesh.Cmd.Prompt;
using ActorMesh.Commands.Protocol;
using ActorMesh.Tests.Mesh;
using Xunit;
using static ActorMesh.Commands.Protocol.CommandArgument;

namespace ActorMesh.Tests.Cmd.Prompt;

/// <summary>Tab completion from palettes: modules, commands, switches, allowed values and file paths.</summary>
public sealed class PaletteCompleterTests
{
    private static readonly string[] PromptCommands = ["help", "exit", "quit"];

    private static readonly CommandPalette[] Palettes =
    [
        new("cluster", "membership", [new("show", "members", []), new("down", "down", [Positional("address", "a member")]), new("down-unreachable", "all", [])]),
        new("config", "config",
        [
            new("apply", "apply", [Positional("file", "file") with { Type = ArgumentType.File }, Switch("comment", "why", "-m", "--comment")]),
        ]),
        new("mesh", "data plane",
        [
            new("stats", "stats", [Switch("filter", "regex", "-f", "--filter"), Flag("cluster-wide", "sum", "--cluster-wide")]),
            new("routes", "routes", [Switch("format", "how", "--format") with { AllowedValues = ["tree", "table"] }]),
        ]),
        new("log", "log",
        [
            new("level", "level", [Positional("logger", "logger", required: false) with { AllowedValues = ["akka"] }, Positional("level", "level") with { AllowedValues = ["debug", "info"] }]),
        ]),
    ];

    [Theory]
    [InlineData("clu", 0, new[] { "cluster" })]
    [InlineData("c", 0, new[] { "cluster", "config" })]
    [InlineData("", 0, new[] { "cluster", "config", "exit", "help", "log", "mesh", "quit" })]
    [InlineData("cluster s", 8, new[] { "show" })]
    [InlineData("cluster d", 8, new[] { "down", "down-unreachable" })]
    [InlineData("help mesh st", 10, new[] { "stats" })]
    [InlineData("help m", 5, new[] { "mesh" })]
    [InlineData("nope s", 5, new string[0])]
    public void Modules_and_commands_complete_from_the_palettes(string line, int start, string[] expected) =>
        AssertCompletes(line, start, expected);

    [Theory]
    [InlineData("mesh stats --c", 11, new[] { "--cluster-wide" })]
    [InlineData("mesh stats -", 11, new[] { "--cluster-wide", "--filter" })]
    [InlineData("mesh stats --cluster-wide -", 26, new[] { "--filter" })]
    [InlineData("mesh stats ", 11, new[] { "--cluster-wide", "--filter" })]
    [InlineData("mesh stats --filter ", 20, new string[0])]
    [InlineData("mesh routes --format t", 21, new[] { "table", "tree" })]
    [InlineData("mesh routes --format tr", 21, new[] { "tree" })]
    public void Switches_not_given_yet_and_a_switch_s_allowed_values_complete(string line, int start, string[] expected) =>
        AssertCompletes(line, start, expected);

    [Theory]
    [InlineData("log level ", 10, new[] { "akka", "debug", "info" })]
    [InlineData("log level deb", 10, new[] { "debug" })]
    [InlineData("log level akka ", 15, new[] { "debug", "info" })]
    [InlineData("cluster down ", 13, new string[0])]
    public void Positional_values_complete_from_the_next_positional_and_those_an_optional_one_gives_way_to(string line, int start, string[] expected) =>
        AssertCompletes(line, start, expected);

    [Fact]
    public void A_file_argument_completes_paths_a_directory_with_a_slash()
    {
        using var directory = new TempDirectory();
        File.WriteAllText(Path.Combine(directory.Path, "envoy.yaml"), "");
        File.WriteAllText(Path.Combine(directory.Path, "envoy2.yaml"), "");
        File.WriteAllText(Path.Combine(directory.Path, ".hidden.yaml"), "");
        Directory.CreateDirectory(Path.Combine(directory.Path, "configs"));
        var dir = directory.Path + "/";

        AssertCompletes($"config apply {dir}", 13, [dir + "configs/", dir + "envoy.yaml", dir + "envoy2.yaml"]);
        AssertCompletes($"config apply {dir}en", 13, [dir + "envoy.yaml", dir + "envoy2.yaml"]);
        AssertCompletes($"config apply {dir}.", 13, [dir + ".hidden.yaml"]);
        AssertCompletes($"config apply {dir}nothing", 13, []);
        Assert.Equal(dir + "envoy", PaletteCompleter.Complete(Palettes, PromptCommands, $"config apply {dir}en", 13 + dir.Length + 2).CommonPrefix);
    }

    [Fact]
    public void Only_the_text_before_the_cursor_counts()
    {
        var completion = PaletteCompleter.Complete(Palettes, PromptCommands, "clu show", 3);
        Assert.Equal(0, completion.Start);
        Assert.Equal(["cluster"], completion.Candidates);
    }

    private static void AssertCompletes(string line, int start, string[] expected)
    {
        var completion = PaletteCompleter.Complete(Palettes, PromptCommands, line, line.Length);
        Assert.Equal(expected, completion.Candidates);
        if (expected.Length > 0)
        {
            Assert.Equal(start, completion.Start);
        }
    }
}
