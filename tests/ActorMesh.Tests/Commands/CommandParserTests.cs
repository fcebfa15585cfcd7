using ActorMesh.Commands.Protocol;
using Xunit;
using static ActorMesh.Commands.Protocol.CommandArgument;

namespace ActorMesh.Tests.Commands;

/// <summary>The one parser the client and the host share: argv against palettes, and validation of what arrives.</summary>
public sealed class CommandParserTests
{
    private static readonly CommandPalette[] Palettes =
    [
        new("mesh", "data plane",
        [
            new("stats", "stats", [Switch("filter", "regex", "-f", "--filter"), Flag("cluster-wide", "sum", "--cluster-wide")]),
            new("routes", "routes", [Switch("listener", "one listener", "-l", "--listener")]),
        ]),
        new("config", "config",
        [
            new("diff", "diff", [Positional("from", "from") with { Type = ArgumentType.FileOrNumber }, Positional("to", "to", required: false) with { Type = ArgumentType.Number }]),
            new("apply", "apply", [Positional("file", "file") with { Type = ArgumentType.File }, Switch("comment", "why", "-m", "--comment")]),
            new("show", "show", [Positional("version", "version", required: false) with { Type = ArgumentType.Number, Default = "7" }]),
        ]),
        new("log", "log",
        [
            new("level", "level", [Positional("logger", "logger", required: false) with { AllowedValues = ["akka"] }, Positional("level", "level") with { AllowedValues = ["debug", "info"] }]),
        ]),
    ];

    [Fact]
    public void Switches_take_their_value_after_a_space_or_an_equals_sign_and_flags_take_none()
    {
        var spaced = Ok("mesh", "stats", "-f", "^cluster\\.", "--cluster-wide");
        Assert.Equal("^cluster\\.", spaced.Args["filter"]);
        Assert.Equal("true", spaced.Args["cluster-wide"]);
        Assert.Equal("-x", Ok("mesh", "stats", "--filter=-x").Args["filter"]);
        Assert.Equal("--cluster-wide", Ok("mesh", "stats", "--filter", "--cluster-wide").Args["filter"]);
        Refused("'--cluster-wide' is a flag and takes no value", "mesh", "stats", "--cluster-wide=yes");
        Refused("'--filter' needs a value", "mesh", "stats", "--filter");
    }

    [Fact]
    public void Optional_positionals_give_way_to_required_ones()
    {
        Assert.Equal(new Dictionary<string, string> { ["level"] = "debug" }, Ok("log", "level", "debug").Args);
        Assert.Equal(new Dictionary<string, string> { ["logger"] = "akka", ["level"] = "info" }, Ok("log", "level", "akka", "info").Args);
        Refused("unexpected argument 'extra' for 'log level'; usage: log level [LOGGER] LEVEL", "log", "level", "akka", "info", "extra");
    }

    [Fact]
    public void Unknown_commands_and_arguments_are_refused_with_what_exists()
    {
        Refused("unknown command 'cluster'; modules: config, log, mesh", "cluster", "show");
        Refused("unknown command 'mesh nodes'; mesh commands: stats, routes", "mesh", "nodes");
        Refused("'mesh' needs a command: stats, routes", "mesh");
        Refused("unknown argument '--verbose' for 'mesh stats'; usage: mesh stats [--filter FILTER] [--cluster-wide]", "mesh", "stats", "--verbose");
        Refused("unexpected argument 'web' for 'mesh routes'", "mesh", "routes", "web");
    }

    [Fact]
    public void A_near_miss_is_refused_with_the_word_it_was_likely_meant_to_be()
    {
        Refused("unknown command 'mseh'; modules: config, log, mesh; did you mean 'mesh'?", "mseh", "stats");
        Refused("unknown command 'mseh'; modules: config, log, mesh; did you mean 'mesh'?", "mseh");
        Refused("unknown command 'mesh stat'; mesh commands: stats, routes; did you mean 'mesh stats'?", "mesh", "stat");
        Refused("unknown argument '--filtr' for 'mesh stats'; usage: mesh stats [--filter FILTER] [--cluster-wide]; did you mean '--filter'?", "mesh", "stats", "--filtr", "x");
        Refused("'inf' is not an allowed value of LEVEL; one of: debug, info; did you mean 'info'?", "log", "level", "inf");
    }

    [Fact]
    public void Values_are_checked_against_allowed_values_numbers_and_files()
    {
        Refused("'loud' is not an allowed value of LEVEL; one of: debug, info", "log", "level", "loud");
        Refused("VERSION must be a positive whole number, not 'latest'", "config", "show", "latest");
        Refused("'config apply' needs FILE (file); usage: config apply FILE [--comment COMMENT]", "config", "apply");
        // A number stays a version; anything else is a file, whose content must come along.
        Assert.Equal("3", Ok("config", "diff", "3", "5").Args["from"]);
        Assert.Equal("envoy.yaml", Ok("config", "diff", "envoy.yaml").Args["from"]);
        var invocation = new CommandInvocation("config", "diff", new Dictionary<string, string> { ["from"] = "envoy.yaml" });
        Assert.Null(CommandParser.Validate(Palettes, invocation, new HashSet<string>(), out var error));
        Assert.Equal("FROM must be a version number or a file, not 'envoy.yaml'", error);
    }

    [Fact]
    public void Validation_fills_in_defaults_and_refuses_unknown_argument_names()
    {
        Assert.Equal("7", Ok("config", "show").Args["version"]);
        var invocation = new CommandInvocation("mesh", "stats", new Dictionary<string, string> { ["regex"] = "x" });
        Assert.Null(CommandParser.Validate(Palettes, invocation, new HashSet<string>(), out var error));
        Assert.StartsWith("unknown argument 'regex' for 'mesh stats'", error, StringComparison.Ordinal);
    }

    private static CommandInvocation Ok(params string[] argv)
    {
        var result = CommandParser.Parse(Palettes, argv, out var error);
        Assert.True(result is not null, error);
        return result;
    }

    private static void Refused(string expectedError, params string[] argv)
    {
        Assert.Null(CommandParser.Parse(Palettes, argv, out var error));
        Assert.StartsWith(expectedError, error, StringComparison.Ordinal);
    }
}
