using ActorMesh.AccessLog;
using ActorMesh.Config;
using Xunit;

namespace ActorMesh.Tests.AccessLog;

public sealed class FormatStringParserTests
{
    [Theory]
    [InlineData("%NO_SUCH_OPERATOR%", "unsupported command operator '%NO_SUCH_OPERATOR%'")]
    [InlineData("%REQUEST_DURATION%", "unsupported command operator '%REQUEST_DURATION%'")]
    [InlineData("%DYNAMIC_METADATA(a:b):10%", "unsupported command operator '%DYNAMIC_METADATA(a:b):10%'")]
    public void Unknown_operators_are_unsupported(string format, string message)
    {
        Assert.False(FormatStringParser.TryParse(format, out _, out var error));
        Assert.Equal(new FormatError(message, IsUnsupported: true), error);
    }

    [Theory]
    [InlineData("100% sure", "couldn't find a valid command operator at position 3 of '100% sure'")]
    [InlineData("%lower%", "couldn't find a valid command operator at position 0 of '%lower%'")]
    [InlineData("%PROTOCOL", "couldn't find a valid command operator at position 0 of '%PROTOCOL'")]
    [InlineData("%REQ(X%", "couldn't find a valid command operator at position 0 of '%REQ(X%'")]
    [InlineData("%REQ(X):%", "couldn't find a valid command operator at position 0 of '%REQ(X):%'")]
    [InlineData("%REQ%", "REQ requires parameters")]
    [InlineData("%REQ()%", "REQ requires parameters")]
    [InlineData("%REQ(A?B?C)%", "more than 1 alternative header specified in token: A?B?C")]
    [InlineData("%REQ(A B)%", "invalid header name 'A B' in REQ(A B)")]
    [InlineData("%PROTOCOL:3%", "PROTOCOL does not take any parameters or length")]
    [InlineData("%DURATION(ms)%", "DURATION does not take any parameters or length")]
    [InlineData("%START_TIME:10%", "START_TIME does not allow length to be specified")]
    public void Malformed_operators_are_errors(string format, string message)
    {
        Assert.False(FormatStringParser.TryParse(format, out _, out var error));
        Assert.Equal(new FormatError(message, IsUnsupported: false), error);
    }

    [Fact]
    public void Literal_runs_and_operators_compile_to_parts()
    {
        Assert.True(FormatStringParser.TryParse("a %PROTOCOL% b %% c\n", out var parts, out var error));
        Assert.Null(error);
        Assert.Equal(3, parts.Length);
        Assert.Equal("a ", Assert.IsType<LiteralText>(parts[0]).Text);
        Assert.IsType<StreamInfoOperator>(parts[1]);
        Assert.Equal(" b % c\n", Assert.IsType<LiteralText>(parts[2]).Text);
    }

    [Fact]
    public void Creating_a_formatter_from_an_unvalidated_format_throws()
    {
        var e = Assert.Throws<ArgumentException>(() => AccessLogFormatter.Create(new AccessLogFormatConfig("%NOPE%", null)));
        Assert.Contains("unsupported command operator '%NOPE%'", e.Message, StringComparison.Ordinal);
    }
}
