using ActorMesh.Commands.Protocol;

namespace ActorMesh.Cmd.Prompt;

/// <summary>
/// What Tab may complete the word before the cursor to: <see cref="Candidates"/> (sorted, each a whole word) for the
/// word that starts at <see cref="Start"/> in the line.
/// </summary>
internal sealed record Completion(int Start, IReadOnlyList<string> Candidates)
{
    /// <summary>The longest start every candidate shares.</summary>
    public string CommonPrefix
    {
        get
        {
            if (Candidates.Count == 0)
            {
                return string.Empty;
            }
            var prefix = Candidates[0];
            foreach (var candidate in Candidates.Skip(1))
            {
                var n = 0;
                while (n < prefix.Length && n < candidate.Length && prefix[n] == candidate[n])
                {
                    n++;
                }
                prefix = prefix[..n];
            }
            return prefix;
        }
    }
}

/// <summary>
/// Tab completion from the palettes the node sent: the first word from the modules and the prompt's own commands, the
/// second from the module's commands, then the command's switches not given yet, a switch's or a positional
/// argument's allowed values, and paths for a file argument. <c>help</c> completes a module and a command.
/// </summary>
internal static class PaletteCompleter
{
    /// <summary>Bounds what a directory listing adds, for a Tab pressed in a huge directory.</summary>
    private const int MaxPaths = 1000;

    public static Completion Complete(IReadOnlyList<CommandPalette> palettes, IReadOnlyList<string> promptCommands, string line, int cursor)
    {
        var split = CommandLineWords.Split(line[..cursor]);
        var context = split.EndsInWord ? split.Words.Take(split.Words.Count - 1).ToList() : split.Words.ToList();
        var word = split.EndsInWord ? split.Words[^1] : string.Empty;
        var candidates = Candidates(palettes, promptCommands, context, word)
            .Where(c => c.StartsWith(word, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new Completion(split.LastStart, candidates);
    }

    private static IEnumerable<string> Candidates(IReadOnlyList<CommandPalette> palettes, IReadOnlyList<string> promptCommands, List<string> context, string word)
    {
        var help = context.Count > 0 && context[0] == Help.Command;
        if (help)
        {
            context.RemoveAt(0);
        }
        if (context.Count == 0)
        {
            return help ? palettes.Select(p => p.Module) : palettes.Select(p => p.Module).Concat(promptCommands);
        }
        var palette = palettes.FirstOrDefault(p => p.Module == context[0]);
        if (palette is null || help && context.Count > 1)
        {
            return [];
        }
        if (context.Count == 1)
        {
            return palette.Commands.Select(c => c.Name);
        }
        var definition = palette.Commands.FirstOrDefault(c => c.Name == context[1]);
        return definition is null ? [] : Arguments(definition, context.Skip(2).ToList(), word);
    }

    /// <summary>Walks the words given after the command as the parser reads them, to know what the next one may be.</summary>
    private static IEnumerable<string> Arguments(CommandDefinition definition, List<string> given, string word)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var positionals = 0;
        for (var i = 0; i < given.Count; i++)
        {
            var argument = IsSwitch(given[i]) ? definition.Arguments.FirstOrDefault(a => a.Switches.Contains(given[i].Split('=')[0])) : null;
            if (argument is null)
            {
                positionals++;
                continue;
            }
            used.Add(argument.Name);
            if (!argument.IsFlag && !given[i].Contains('=', StringComparison.Ordinal))
            {
                if (i + 1 == given.Count)
                {
                    return Values(argument, word);
                }
                i++;
            }
        }
        var unused = definition.Arguments.Where(a => !a.IsPositional && !used.Contains(a.Name)).ToList();
        if (IsSwitch(word))
        {
            return word == "-" ? unused.Select(a => a.Switches[^1]) : unused.SelectMany(a => a.Switches);
        }
        // The next word may be the next positional or, when that one is optional, any after it up to a required one.
        var next = new List<CommandArgument>();
        foreach (var argument in definition.Arguments.Where(a => a.IsPositional).Skip(positionals))
        {
            next.Add(argument);
            if (argument.Required)
            {
                break;
            }
        }
        var values = next.SelectMany(a => Values(a, word));
        return word.Length == 0 ? values.Concat(unused.Select(a => a.Switches[^1])) : values;
    }

    private static bool IsSwitch(string word) => word.StartsWith('-');

    private static IEnumerable<string> Values(CommandArgument argument, string word) =>
        argument.AllowedValues.Count > 0 ? argument.AllowedValues
        : argument.Type is ArgumentType.File or ArgumentType.FileOrNumber ? Paths(word)
        : [];

    /// <summary>Entries of the directory <paramref name="word"/> names so far, a directory with a trailing slash.</summary>
    private static IEnumerable<string> Paths(string word)
    {
        var slash = word.LastIndexOf('/');
        var directory = slash < 0 ? string.Empty : word[..(slash + 1)];
        var name = word[(slash + 1)..];
        try
        {
            return new DirectoryInfo(directory.Length == 0 ? "." : directory)
                .EnumerateFileSystemInfos()
                .Where(e => e.Name.StartsWith(name, StringComparison.Ordinal) && (name.StartsWith('.') || !e.Name.StartsWith('.')))
                .Take(MaxPaths)
                .Select(e => directory + e.Name + (e is DirectoryInfo ? "/" : ""))
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or ArgumentException)
        {
            return [];
        }
    }
}
