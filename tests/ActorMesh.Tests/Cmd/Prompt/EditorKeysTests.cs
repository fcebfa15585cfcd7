using ActorMesh.Cmd.Prompt;
using Xunit;

namespace ActorMesh.Tests.Cmd.Prompt;

/// <summary>Keys as a terminal sends them (control characters, decoded escape sequences) to the editor's actions.</summary>
public sealed class EditorKeysTests
{
    [Theory]
    [InlineData('\x01', ConsoleKey.A, ConsoleModifiers.Control, "Home")]
    [InlineData('\x05', ConsoleKey.E, ConsoleModifiers.Control, "End")]
    [InlineData('\x15', ConsoleKey.U, ConsoleModifiers.Control, "KillToStart")]
    [InlineData('\x17', ConsoleKey.W, ConsoleModifiers.Control, "KillWord")]
    [InlineData('\x03', ConsoleKey.C, ConsoleModifiers.Control, "Interrupt")]
    [InlineData('\x04', ConsoleKey.D, ConsoleModifiers.Control, "EndOfInput")]
    [InlineData('\x7f', ConsoleKey.Backspace, (ConsoleModifiers)0, "Backspace")]
    [InlineData('\b', ConsoleKey.Backspace, (ConsoleModifiers)0, "Backspace")]
    [InlineData('\t', ConsoleKey.Tab, (ConsoleModifiers)0, "Complete")]
    [InlineData('\r', ConsoleKey.Enter, (ConsoleModifiers)0, "Enter")]
    [InlineData('\0', ConsoleKey.UpArrow, (ConsoleModifiers)0, "Previous")]
    [InlineData('\0', ConsoleKey.DownArrow, (ConsoleModifiers)0, "Next")]
    [InlineData('\0', ConsoleKey.LeftArrow, (ConsoleModifiers)0, "Left")]
    [InlineData('\0', ConsoleKey.Delete, (ConsoleModifiers)0, "Delete")]
    [InlineData('s', ConsoleKey.S, (ConsoleModifiers)0, "Insert")]
    [InlineData('S', ConsoleKey.S, ConsoleModifiers.Shift, "Insert")]
    [InlineData('b', ConsoleKey.B, ConsoleModifiers.Alt, "None")]
    [InlineData('\0', ConsoleKey.F5, (ConsoleModifiers)0, "None")]
    public void Keys_map_to_actions(char c, ConsoleKey key, ConsoleModifiers modifiers, string expected) =>
        Assert.Equal(expected, EditorKeys.Classify(new ConsoleKeyInfo(c, key, (modifiers & ConsoleModifiers.Shift) != 0, (modifiers & ConsoleModifiers.Alt) != 0, (modifiers & ConsoleModifiers.Control) != 0)).ToString());
}
