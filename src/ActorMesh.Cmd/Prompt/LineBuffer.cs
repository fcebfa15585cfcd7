using System.Text;

namespace ActorMesh.Cmd.Prompt;

/// <summary>
/// The line being edited and the cursor in it, with the edits of a readline-style editor (Emacs keys). Pure state, so
/// the editing is tested without a terminal.
/// </summary>
internal sealed class LineBuffer
{
    /// <summary>A line longer than this is not a command anyone types; keys past it are dropped.</summary>
    public const int MaxLength = 16 * 1024;

    private readonly StringBuilder _text = new();

    public int Cursor { get; private set; }

    public string Text => _text.ToString();

    public int Length => _text.Length;

    public void Insert(string text)
    {
        var room = Math.Min(text.Length, MaxLength - _text.Length);
        _text.Insert(Cursor, text.AsSpan(0, room));
        Cursor += room;
    }

    /// <summary>The whole line becomes <paramref name="text"/>, the cursor at its end (a history entry).</summary>
    public void Set(string text)
    {
        _text.Clear();
        Cursor = 0;
        Insert(text);
    }

    /// <summary>Replaces <c>[start, Cursor)</c> (the word a completion finishes) and leaves the cursor after it.</summary>
    public void ReplaceBeforeCursor(int start, string text)
    {
        _text.Remove(start, Cursor - start);
        Cursor = start;
        Insert(text);
    }

    public void Backspace()
    {
        if (Cursor > 0)
        {
            _text.Remove(--Cursor, 1);
        }
    }

    public void Delete()
    {
        if (Cursor < _text.Length)
        {
            _text.Remove(Cursor, 1);
        }
    }

    public void Left() => Cursor = Math.Max(0, Cursor - 1);

    public void Right() => Cursor = Math.Min(_text.Length, Cursor + 1);

    public void Home() => Cursor = 0;

    public void End() => Cursor = _text.Length;

    /// <summary>Ctrl-U: everything before the cursor goes.</summary>
    public void KillToStart()
    {
        _text.Remove(0, Cursor);
        Cursor = 0;
    }

    /// <summary>Ctrl-K: everything from the cursor on goes.</summary>
    public void KillToEnd() => _text.Remove(Cursor, _text.Length - Cursor);

    /// <summary>Ctrl-W: the word before the cursor goes, with the white space after it, as readline's unix-word-rubout.</summary>
    public void KillWordBefore()
    {
        var start = Cursor;
        while (start > 0 && char.IsWhiteSpace(_text[start - 1]))
        {
            start--;
        }
        while (start > 0 && !char.IsWhiteSpace(_text[start - 1]))
        {
            start--;
        }
        _text.Remove(start, Cursor - start);
        Cursor = start;
    }

    public void Clear()
    {
        _text.Clear();
        Cursor = 0;
    }
}
