using ActorMesh.Cmd.Prompt;
using Xunit;

namespace ActorMesh.Tests.Cmd.Prompt;

/// <summary>Prompt lines split as a shell splits them, so what works after <c>actormesh-cmd HOST:PORT</c> works at the prompt.</summary>
public sealed class CommandLineWordsTests
{
    [Fact]
    public void Quotes_and_backslashes_work_as_in_a_shell()
    {
        Assert.Equal(["mesh", "stats", "--filter", "^cluster\\."], CommandLineWords.Split("mesh stats --filter '^cluster\\.'").Words);
        Assert.Equal(["config", "apply", "my file.yaml", "-m", "say \"hi\""], CommandLineWords.Split("config apply my\\ file.yaml  -m \"say \\\"hi\\\"\"").Words);
        Assert.Equal(["a", "", "b"], CommandLineWords.Split("a '' b").Words);
        Assert.Empty(CommandLineWords.Split("   ").Words);
    }

    [Fact]
    public void The_last_word_its_start_and_an_open_quote_are_known_for_completion()
    {
        var partial = CommandLineWords.Split("cluster sh");
        Assert.True(partial.EndsInWord);
        Assert.Equal(8, partial.LastStart);
        Assert.False(partial.Unterminated);

        var spaced = CommandLineWords.Split("cluster ");
        Assert.False(spaced.EndsInWord);
        Assert.Equal(8, spaced.LastStart);

        var open = CommandLineWords.Split("config apply 'my fi");
        Assert.True(open.Unterminated);
        Assert.Equal("my fi", open.Words[^1]);
        Assert.Equal(13, open.LastStart);
    }

    [Theory]
    [InlineData("show", "show")]
    [InlineData("my file.yaml", "'my file.yaml'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("", "''")]
    public void A_completed_word_is_quoted_only_when_it_must_be(string word, string typed)
    {
        Assert.Equal(typed, CommandLineWords.Quote(word));
        Assert.Equal([word], CommandLineWords.Split(typed).Words);
    }
}
