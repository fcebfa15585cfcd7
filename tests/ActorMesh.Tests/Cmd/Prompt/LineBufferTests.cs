using ActorMesh.Cmd.Prompt;
using Xunit;

namespace ActorMesh.Tests.Cmd.Prompt;

/// <summary>The line editor's edits, readline's Emacs keys, without a terminal.</summary>
public sealed class LineBufferTests
{
    [Fact]
    public void Typing_moving_and_deleting_edit_at_the_cursor()
    {
        var line = new LineBuffer();
        line.Insert("cluster shw");
        line.Left();
        line.Insert("o");
        Assert.Equal("cluster show", line.Text);
        Assert.Equal(11, line.Cursor);
        line.Right();
        line.Right();
        Assert.Equal(12, line.Cursor);
        line.Home();
        line.Delete();
        line.Left();
        Assert.Equal("luster show", line.Text);
        Assert.Equal(0, line.Cursor);
        line.Insert("c");
        line.End();
        line.Backspace();
        Assert.Equal("cluster sho", line.Text);
    }

    [Fact]
    public void Ctrl_u_kills_to_the_start_ctrl_k_to_the_end_and_ctrl_w_the_word_before()
    {
        var line = new LineBuffer();
        line.Insert("mesh stats  --filter x");
        line.KillWordBefore();
        Assert.Equal("mesh stats  --filter ", line.Text);
        line.KillWordBefore();
        Assert.Equal("mesh stats  ", line.Text);
        line.KillWordBefore();
        Assert.Equal("mesh ", line.Text);

        line.Set("config show 3");
        line.Home();
        line.Right();
        line.Right();
        line.KillToEnd();
        Assert.Equal("co", line.Text);
        line.Insert("nfig history");
        line.Left();
        line.KillToStart();
        Assert.Equal("y", line.Text);
        Assert.Equal(0, line.Cursor);
    }

    [Fact]
    public void A_completion_replaces_the_word_before_the_cursor_and_the_line_is_bounded()
    {
        var line = new LineBuffer();
        line.Insert("cluster s");
        line.ReplaceBeforeCursor(8, "show ");
        Assert.Equal("cluster show ", line.Text);
        Assert.Equal(13, line.Cursor);

        line.Set(new string('x', LineBuffer.MaxLength + 10));
        Assert.Equal(LineBuffer.MaxLength, line.Length);
        line.Insert("y");
        Assert.Equal(LineBuffer.MaxLength, line.Length);
    }
}
