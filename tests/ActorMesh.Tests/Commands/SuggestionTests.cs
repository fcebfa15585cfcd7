using ActorMesh.Commands.Protocol;
using Xunit;

namespace ActorMesh.Tests.Commands;

/// <summary>"Did you mean": the known word a typo was meant to be, and none when nothing is close.</summary>
public sealed class SuggestionTests
{
    private static readonly string[] Modules = ["cluster", "config", "log", "mesh", "node"];

    [Theory]
    [InlineData("clustr", "cluster")]
    [InlineData("culster", "cluster")]
    [InlineData("mseh", "mesh")]
    [InlineData("lg", "log")]
    [InlineData("nod", "node")]
    [InlineData("confi", "config")]
    public void A_typo_a_swap_or_a_missing_letter_suggests_the_word(string typed, string expected) =>
        Assert.Equal(expected, Suggestion.Closest(typed, Modules));

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("c")]
    [InlineData("")]
    [InlineData("mesh")]
    public void A_word_far_from_every_one_an_ambiguous_start_or_the_word_itself_suggests_nothing(string typed) =>
        Assert.Null(Suggestion.Closest(typed, Modules));

    [Fact]
    public void The_start_of_exactly_one_long_word_suggests_it()
    {
        Assert.Equal("down-unreachable", Suggestion.Closest("down-un", ["down", "down-unreachable"]));
        Assert.Equal("; did you mean 'mesh stats'?", Suggestion.DidYouMean("stat", ["listeners", "stats", "top"], "mesh "));
        Assert.Equal(string.Empty, Suggestion.DidYouMean("nodes", ["listeners", "routes", "stats"]));
    }
}
