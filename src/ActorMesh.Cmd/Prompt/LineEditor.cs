using System.Text;

namespace ActorMesh.Cmd.Prompt;

/// <summary>
/// The prompt's line editor on <see cref="Console"/>: keys read one at a time (Ctrl-C as a key, so it clears the line
/// instead of ending the client), the line redrawn after each. A line wider than the terminal scrolls sideways under
/// the cursor, as linenoise's single-line mode does, so a redraw never has to know how lines wrapped. Tab completes
/// (a second Tab lists what it could be), up and down walk the history.
/// </summary>
internal sealed class LineEditor(string prompt, CommandHistory history, Func<string, int, Completion> complete) : ILineSource
{
    /// <summary>A second Tab lists at most this many candidates.</summary>
    private const int MaxListed = 200;

    private const int DefaultWidth = 80;
    private const string ClearToEndOfLine = "\x1b[0K";
    private const string ClearScreen = "\x1b[H\x1b[2J";

    private readonly LineBuffer _line = new();

    public string? ReadLine()
    {
        _line.Clear();
        var tabs = 0;
        var treatControlCAsInput = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
        try
        {
            Render();
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                var action = EditorKeys.Classify(key);
                tabs = action == EditorKey.Complete ? tabs + 1 : 0;
                switch (action)
                {
                    case EditorKey.Enter:
                        Render();
                        Console.Out.Write("\r\n");
                        history.Add(_line.Text);
                        return _line.Text;
                    case EditorKey.EndOfInput when _line.Length == 0:
                        Console.Out.Write("\r\n");
                        return null;
                    case EditorKey.Interrupt:
                        // As a shell does: the line is dropped, shown with ^C, and a fresh prompt follows.
                        _line.End();
                        Render();
                        Console.Out.Write("^C\r\n");
                        _line.Clear();
                        history.Rewind();
                        break;
                    case EditorKey.Complete:
                        Complete(tabs);
                        break;
                    case EditorKey.Previous when history.Previous(_line.Text) is { } previous:
                        _line.Set(previous);
                        break;
                    case EditorKey.Next when history.Next() is { } next:
                        _line.Set(next);
                        break;
                    case EditorKey.ClearScreen:
                        Console.Out.Write(ClearScreen);
                        break;
                    default:
                        Edit(action, key.KeyChar);
                        break;
                }
                if (!Console.KeyAvailable)
                {
                    Render();
                }
            }
        }
        catch (InvalidOperationException)
        {
            // The terminal went away (a hang-up): the same as the end of input.
            return null;
        }
        finally
        {
            Console.TreatControlCAsInput = treatControlCAsInput;
        }
    }

    private void Edit(EditorKey action, char c)
    {
        switch (action)
        {
            case EditorKey.Insert:
                _line.Insert(c.ToString());
                break;
            case EditorKey.Backspace:
                _line.Backspace();
                break;
            case EditorKey.Delete or EditorKey.EndOfInput:
                _line.Delete();
                break;
            case EditorKey.Left:
                _line.Left();
                break;
            case EditorKey.Right:
                _line.Right();
                break;
            case EditorKey.Home:
                _line.Home();
                break;
            case EditorKey.End:
                _line.End();
                break;
            case EditorKey.KillToStart:
                _line.KillToStart();
                break;
            case EditorKey.KillToEnd:
                _line.KillToEnd();
                break;
            case EditorKey.KillWord:
                _line.KillWordBefore();
                break;
        }
    }

    /// <summary>One candidate: the word becomes it (and a space). Several: their common start, else on a second Tab the list.</summary>
    private void Complete(int tabs)
    {
        var completion = complete(_line.Text, _line.Cursor);
        switch (completion.Candidates)
        {
            case []:
                return;
            case [var only]:
                var separated = only.EndsWith('/') || _line.Cursor < _line.Length && char.IsWhiteSpace(_line.Text[_line.Cursor]);
                _line.ReplaceBeforeCursor(completion.Start, CommandLineWords.Quote(only) + (separated ? "" : " "));
                return;
        }
        var prefix = completion.CommonPrefix;
        var word = CommandLineWords.Split(_line.Text[completion.Start.._line.Cursor]).Words.FirstOrDefault() ?? string.Empty;
        if (prefix.Length > word.Length && CommandLineWords.Quote(prefix) == prefix)
        {
            _line.ReplaceBeforeCursor(completion.Start, prefix);
        }
        else if (tabs > 1)
        {
            List(completion.Candidates);
        }
    }

    /// <summary>The candidates in columns under the line, then the prompt again.</summary>
    private void List(IReadOnlyList<string> candidates)
    {
        Render();
        var shown = candidates.Take(MaxListed).ToList();
        var column = shown.Max(c => c.Length) + 2;
        var perRow = Math.Max(1, Width() / column);
        var text = new StringBuilder("\r\n");
        for (var i = 0; i < shown.Count; i++)
        {
            text.Append(i % perRow == perRow - 1 || i == shown.Count - 1 ? shown[i] + "\r\n" : shown[i].PadRight(column));
        }
        if (candidates.Count > shown.Count)
        {
            text.Append($"… and {candidates.Count - shown.Count} more\r\n");
        }
        Console.Out.Write(text.ToString());
    }

    private void Render()
    {
        var width = Width();
        var text = _line.Text;
        var cursor = _line.Cursor;
        var start = 0;
        while (prompt.Length + cursor - start >= width && start < cursor)
        {
            start++;
        }
        var visible = Math.Min(text.Length - start, Math.Max(0, width - prompt.Length));
        var column = prompt.Length + cursor - start;
        var frame = new StringBuilder("\r").Append(prompt).Append(text, start, visible).Append(ClearToEndOfLine).Append('\r');
        if (column > 0)
        {
            frame.Append($"\x1b[{column}C");
        }
        Console.Out.Write(frame.ToString());
        Console.Out.Flush();
    }

    private static int Width()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : DefaultWidth;
        }
        catch (IOException)
        {
            return DefaultWidth;
        }
    }
}
