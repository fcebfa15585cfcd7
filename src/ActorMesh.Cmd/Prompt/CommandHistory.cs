namespace ActorMesh.Cmd.Prompt;

/// <summary>
/// The prompt's history: the last <see cref="MaxEntries"/> lines run, a line that repeats the one before it kept once,
/// walked with up and down. Persisted to <c>~/.actormesh-cmd_history</c> (mode 600) as each line runs: the file is read
/// again and the line appended, so two prompts open at once both keep theirs.
/// </summary>
internal sealed class CommandHistory
{
    public const int MaxEntries = 500;

    public const string FileName = ".actormesh-cmd_history";

    private readonly List<string> _entries;
    private readonly string? _path;
    private int _position;
    private string _draft = string.Empty;

    private CommandHistory(List<string> entries, string? path)
    {
        _entries = entries;
        _path = path;
        _position = entries.Count;
    }

    public IReadOnlyList<string> Entries => _entries;

    /// <summary>The history in <c>HOME</c>, or one kept in memory only when there is no home directory.</summary>
    public static CommandHistory ForUser()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Load(home.Length == 0 ? null : Path.Combine(home, FileName));
    }

    /// <summary>A history read from <paramref name="path"/> (none yet, or unreadable: empty); null: in memory only.</summary>
    public static CommandHistory Load(string? path) => new(path is null ? [] : Read(path), path);

    public void Add(string line)
    {
        line = line.Trim();
        if (line.Length > 0 && (_entries.Count == 0 || _entries[^1] != line))
        {
            _entries.Add(line);
            Trim(_entries);
            Save(line);
        }
        Rewind();
    }

    /// <summary>Back to a fresh line after the newest entry (a line was run or dropped).</summary>
    public void Rewind()
    {
        _position = _entries.Count;
        _draft = string.Empty;
    }

    /// <summary>Up: the entry before the one shown; <paramref name="current"/> is kept to come back to. Null at the oldest.</summary>
    public string? Previous(string current)
    {
        if (_position == 0)
        {
            return null;
        }
        if (_position == _entries.Count)
        {
            _draft = current;
        }
        return _entries[--_position];
    }

    /// <summary>Down: the entry after the one shown, then the line that was being typed. Null when that is shown.</summary>
    public string? Next()
    {
        if (_position >= _entries.Count)
        {
            return null;
        }
        _position++;
        return _position == _entries.Count ? _draft : _entries[_position];
    }

    private void Save(string line)
    {
        if (_path is null)
        {
            return;
        }
        try
        {
            var lines = Read(_path);
            if (lines.Count == 0 || lines[^1] != line)
            {
                lines.Add(line);
            }
            Trim(lines);
            var temporary = _path + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using (var file = new FileStream(temporary, options))
            using (var writer = new StreamWriter(file))
            {
                foreach (var each in lines)
                {
                    writer.WriteLine(each);
                }
            }
            File.Move(temporary, _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The history is a convenience: a read-only home costs it, never the command.
        }
    }

    private static List<string> Read(string path)
    {
        try
        {
            var lines = File.Exists(path) ? File.ReadLines(path).Where(l => l.Length > 0).ToList() : [];
            Trim(lines);
            return lines;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static void Trim(List<string> lines)
    {
        if (lines.Count > MaxEntries)
        {
            lines.RemoveRange(0, lines.Count - MaxEntries);
        }
    }
}
