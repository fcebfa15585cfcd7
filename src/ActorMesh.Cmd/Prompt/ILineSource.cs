namespace ActorMesh.Cmd.Prompt;

/// <summary>Where the prompt's command lines come from: the line editor on a terminal, else standard input as it is.</summary>
internal interface ILineSource
{
    /// <summary>The next line; null at the end of input (Ctrl-D, or the end of a script).</summary>
    string? ReadLine();
}

/// <summary>A script piped in: each line a command, blank lines and <c>#</c> comments skipped, no prompt, no history.</summary>
internal sealed class PipedLines(TextReader input) : ILineSource
{
    public string? ReadLine()
    {
        while (input.ReadLine() is { } line)
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0 && !trimmed.StartsWith('#'))
            {
                return trimmed;
            }
        }
        return null;
    }
}
