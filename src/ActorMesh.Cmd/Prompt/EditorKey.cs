namespace ActorMesh.Cmd.Prompt;

/// <summary>What a key does in the line editor: readline's Emacs bindings, the few a console needs.</summary>
internal enum EditorKey
{
    None,
    Insert,
    Enter,
    Complete,
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    Previous,
    Next,
    KillToStart,
    KillToEnd,
    KillWord,
    Interrupt,
    EndOfInput,
    ClearScreen,
}

internal static class EditorKeys
{
    /// <summary>
    /// By the character first: a terminal sends Ctrl-A as 0x01 whatever the key is called, and Backspace as DEL or BS;
    /// arrows and Home/End come as escape sequences the console has already decoded to keys.
    /// </summary>
    public static EditorKey Classify(ConsoleKeyInfo key) => key.KeyChar switch
    {
        '\r' or '\n' => EditorKey.Enter,
        '\t' => EditorKey.Complete,
        '\b' or '\x7f' => EditorKey.Backspace,
        '\x01' => EditorKey.Home,
        '\x02' => EditorKey.Left,
        '\x03' => EditorKey.Interrupt,
        '\x04' => EditorKey.EndOfInput,
        '\x05' => EditorKey.End,
        '\x06' => EditorKey.Right,
        '\x0b' => EditorKey.KillToEnd,
        '\x0c' => EditorKey.ClearScreen,
        '\x0e' => EditorKey.Next,
        '\x10' => EditorKey.Previous,
        '\x15' => EditorKey.KillToStart,
        '\x17' => EditorKey.KillWord,
        _ => key.Key switch
        {
            ConsoleKey.Enter => EditorKey.Enter,
            ConsoleKey.Tab => EditorKey.Complete,
            ConsoleKey.Backspace => EditorKey.Backspace,
            ConsoleKey.Delete => EditorKey.Delete,
            ConsoleKey.LeftArrow => EditorKey.Left,
            ConsoleKey.RightArrow => EditorKey.Right,
            ConsoleKey.Home => EditorKey.Home,
            ConsoleKey.End => EditorKey.End,
            ConsoleKey.UpArrow => EditorKey.Previous,
            ConsoleKey.DownArrow => EditorKey.Next,
            _ when key.KeyChar != '\0' && !char.IsControl(key.KeyChar) && (key.Modifiers & (ConsoleModifiers.Control | ConsoleModifiers.Alt)) == 0 => EditorKey.Insert,
            _ => EditorKey.None,
        },
    };
}
