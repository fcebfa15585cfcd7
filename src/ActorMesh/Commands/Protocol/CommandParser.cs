using System.Globalization;

namespace ActorMesh.Commands.Protocol;

/// <summary>A command as run: its palette (module) and name, and each argument's value by name (defaults filled in).</summary>
public sealed record CommandInvocation(string Module, string Command, IReadOnlyDictionary<string, string> Args)
{
    public override string ToString() => $"{Module} {Command}";
}

/// <summary>
/// The one parser and validator of commands against palettes: the client parses argv with <see cref="Parse"/>; the host
/// checks what arrives with <see cref="Validate"/> (which <see cref="Parse"/> ends with), so both refuse alike.
/// </summary>
public static class CommandParser
{
    public const string FlagValue = "true";

    /// <summary><c>mesh stats --filter ^cluster\.</c> as an invocation, or an error that lists what exists.</summary>
    public static CommandInvocation? Parse(IReadOnlyList<CommandPalette> palettes, IReadOnlyList<string> argv, out string? error)
    {
        if (argv.Count < 2)
        {
            var module = argv.Count == 1 ? palettes.FirstOrDefault(p => p.Module == argv[0]) : null;
            error = module is null
                ? argv.Count == 0 ? "no command given; modules: " + Modules(palettes) : UnknownModule(palettes, argv[0])
                : $"'{module.Module}' needs a command: " + string.Join(", ", module.Commands.Select(c => c.Name));
            return null;
        }
        var definition = Find(palettes, argv[0], argv[1], out error);
        if (definition is null)
        {
            return null;
        }
        var name = $"{argv[0]} {argv[1]}";
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        var positionals = new List<string>();
        var switchesEnded = false;
        for (var i = 2; i < argv.Count; i++)
        {
            var word = argv[i];
            if (switchesEnded || word.Length < 2 || word[0] != '-' || IsNumber(word))
            {
                positionals.Add(word);
                continue;
            }
            if (word == "--")
            {
                switchesEnded = true;
                continue;
            }
            var eq = word.IndexOf('=', StringComparison.Ordinal);
            var key = eq > 0 ? word[..eq] : word;
            var argument = definition.Arguments.FirstOrDefault(a => a.Switches.Contains(key));
            if (argument is null)
            {
                error = $"unknown argument '{key}' for '{name}'; " + Takes(name, definition) + Suggestion.DidYouMean(key, definition.Arguments.SelectMany(a => a.Switches));
                return null;
            }
            if (argument.IsFlag)
            {
                if (eq > 0)
                {
                    error = $"'{key}' is a flag and takes no value";
                    return null;
                }
                args[argument.Name] = FlagValue;
                continue;
            }
            if (eq < 0 && i + 1 >= argv.Count)
            {
                error = $"'{key}' needs a value ({argument.Name.ToUpperInvariant()}: {argument.Description})";
                return null;
            }
            args[argument.Name] = eq > 0 ? word[(eq + 1)..] : argv[++i];
        }
        var declared = definition.Arguments.Where(a => a.IsPositional).ToList();
        if (positionals.Count > declared.Count)
        {
            error = $"unexpected argument '{positionals[declared.Count]}' for '{name}'; " + Takes(name, definition);
            return null;
        }
        // Optional positionals give way to required ones: "log level debug" is LEVEL, "log level akka debug" both.
        var spare = positionals.Count - declared.Count(a => a.Required);
        var next = 0;
        foreach (var argument in declared)
        {
            if (next < positionals.Count && (argument.Required || spare-- > 0))
            {
                args[argument.Name] = positionals[next++];
            }
        }
        var files = definition.Arguments.Where(a => a.Type == ArgumentType.File && args.ContainsKey(a.Name)
            || a.Type == ArgumentType.FileOrNumber && args.TryGetValue(a.Name, out var v) && !IsNumber(v)).Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var invocation = new CommandInvocation(argv[0], argv[1], args);
        return Validate(palettes, invocation, files, out error);
    }

    /// <summary>
    /// Checks an invocation against its palette (unknown argument, missing one, value not allowed, not a number, file
    /// content missing) and fills in defaults. <paramref name="files"/>: the arguments whose file content came along.
    /// </summary>
    public static CommandInvocation? Validate(IReadOnlyList<CommandPalette> palettes, CommandInvocation invocation, IReadOnlySet<string> files, out string? error)
    {
        var definition = Find(palettes, invocation.Module, invocation.Command, out error);
        if (definition is null)
        {
            return null;
        }
        var name = invocation.ToString();
        if (invocation.Args.Keys.FirstOrDefault(k => definition.Arguments.All(a => a.Name != k)) is { } unknown)
        {
            error = $"unknown argument '{unknown}' for '{name}'; " + Takes(name, definition);
            return null;
        }
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var argument in definition.Arguments)
        {
            if (!invocation.Args.TryGetValue(argument.Name, out var value))
            {
                if (argument.Required)
                {
                    error = $"'{name}' needs {argument.Usage} ({argument.Description}); usage: {Usage(name, definition)}";
                    return null;
                }
                if (argument.Default is not null)
                {
                    args[argument.Name] = argument.Default;
                }
                continue;
            }
            error = CheckValue(argument, value, files.Contains(argument.Name));
            if (error is not null)
            {
                return null;
            }
            args[argument.Name] = value;
        }
        return invocation with { Args = args };
    }

    /// <summary>A command of a palette, or an error listing the modules or the module's commands.</summary>
    public static CommandDefinition? Find(IReadOnlyList<CommandPalette> palettes, string module, string command, out string? error)
    {
        var palette = FindModule(palettes, module, out error);
        if (palette is null)
        {
            return null;
        }
        var definition = palette.Commands.FirstOrDefault(c => c.Name == command);
        if (definition is null)
        {
            error = $"unknown command '{module} {command}'; {module} commands: " + string.Join(", ", palette.Commands.Select(c => c.Name))
                + Suggestion.DidYouMean(command, palette.Commands.Select(c => c.Name), module + " ");
        }
        return definition;
    }

    /// <summary>A palette by its module name, or an error listing the modules (with the closest one).</summary>
    public static CommandPalette? FindModule(IReadOnlyList<CommandPalette> palettes, string module, out string? error)
    {
        var palette = palettes.FirstOrDefault(p => p.Module == module);
        error = palette is null ? UnknownModule(palettes, module) : null;
        return palette;
    }

    /// <summary><c>mesh stats [--filter REGEX] [--cluster-wide]</c>.</summary>
    public static string Usage(string name, CommandDefinition definition) =>
        string.Join(' ', [name, .. definition.Arguments.Select(a => a.Usage)]);

    public static bool IsNumber(string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0;

    private static string Modules(IReadOnlyList<CommandPalette> palettes) =>
        string.Join(", ", palettes.Select(p => p.Module).Order(StringComparer.Ordinal));

    private static string UnknownModule(IReadOnlyList<CommandPalette> palettes, string module) =>
        $"unknown command '{module}'; modules: " + Modules(palettes) + Suggestion.DidYouMean(module, palettes.Select(p => p.Module));

    private static string Takes(string name, CommandDefinition definition) =>
        definition.Arguments.Count == 0 ? $"'{name}' takes no arguments" : "usage: " + Usage(name, definition);

    private static string? CheckValue(CommandArgument argument, string value, bool isFile)
    {
        var label = argument.Name.ToUpperInvariant();
        if (argument.IsFlag)
        {
            return value == FlagValue ? null : $"{label} is a flag: its value is \"{FlagValue}\"";
        }
        if (argument.AllowedValues.Count > 0 && !argument.AllowedValues.Contains(value))
        {
            return $"'{value}' is not an allowed value of {label}; one of: " + string.Join(", ", argument.AllowedValues) + Suggestion.DidYouMean(value, argument.AllowedValues);
        }
        return argument.Type switch
        {
            ArgumentType.Number when !IsNumber(value) => $"{label} must be a positive whole number, not '{value}'",
            ArgumentType.File when !isFile => $"{label}: the content of file '{value}' did not come with the command",
            ArgumentType.FileOrNumber when !isFile && !IsNumber(value) => $"{label} must be a version number or a file, not '{value}'",
            _ => null,
        };
    }
}
