namespace ActorMesh.Tests.Support;

/// <summary>Reads a file the proxy appends to (access log, health check events) while it may still be writing.</summary>
internal static class LogFile
{
    /// <summary>
    /// The file's lines once it has at least <paramref name="count"/> (writers are asynchronous), or what it has when
    /// <paramref name="timeout"/> passes.
    /// </summary>
    public static async Task<string[]> Lines(string path, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var lines = ReadLines(path);
            if (lines.Length >= count || DateTime.UtcNow > deadline)
            {
                return lines;
            }
            await Task.Delay(20);
        }
    }

    /// <summary>The first line <paramref name="matches"/> accepts once one is there; null when none came in time.</summary>
    public static async Task<string?> Line(string path, Func<string, bool> matches, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (ReadLines(path).FirstOrDefault(matches) is { } line)
            {
                return line;
            }
            if (DateTime.UtcNow > deadline)
            {
                return null;
            }
            await Task.Delay(20);
        }
    }

    /// <summary>The lines now; none when the file does not exist yet.</summary>
    public static string[] ReadLines(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
