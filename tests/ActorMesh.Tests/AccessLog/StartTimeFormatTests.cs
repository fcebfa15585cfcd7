using ActorMesh.AccessLog;
using ActorMesh.Config;
using ActorMesh.Http;
using Xunit;

namespace ActorMesh.Tests.AccessLog;

public sealed class StartTimeFormatTests
{
    // 2016-04-15T20:17:00.3104567Z, a Friday: 100 ns precision to see every fraction digit.
    private static readonly DateTimeOffset Time = new DateTimeOffset(2016, 4, 15, 20, 17, 0, TimeSpan.Zero).AddTicks(3_104_567);

    private static string Format(string format)
    {
        var info = new StreamInfo { StartTime = Time, StartTimestamp = 1 };
        return AccessLogFormatter.Create(new AccessLogFormatConfig(format, null)).Format(info);
    }

    [Theory]
    [InlineData("%START_TIME%", "2016-04-15T20:17:00.310Z")]
    [InlineData("%START_TIME()%", "2016-04-15T20:17:00.310Z")]
    [InlineData("%START_TIME(%Y/%m/%d %H:%M:%S)%", "2016/04/15 20:17:00")]
    [InlineData("%START_TIME(%Y-%m-%dT%H:%M:%E3SZ)%", "2016-04-15T20:17:00.310Z")]
    [InlineData("%START_TIME(%E6S)%", "00.310456")]
    [InlineData("%START_TIME(%E*S)%", "00.3104567")]
    [InlineData("%START_TIME(%s)%", "1460751420")]
    [InlineData("%START_TIME(%s.%3f)%", "1460751420.310")]
    [InlineData("%START_TIME(%6f)%", "310456")]
    [InlineData("%START_TIME(%f)%", "310456700")]
    [InlineData("%START_TIME(%9f)%", "310456700")]
    [InlineData("%START_TIME(%F %T)%", "2016-04-15 20:17:00")]
    [InlineData("%START_TIME(%a %A %b %B %j %y %e)%", "Fri Friday Apr April 106 16 15")]
    [InlineData("%START_TIME(%I:%M %p %z %Ez %Z)%", "08:17 PM +0000 +00:00 UTC")]
    [InlineData("%START_TIME(%D %R %%)%", "04/15/16 20:17 %")]
    [InlineData("%START_TIME(%Q)%", "%Q")]
    public void Strftime_specifiers_format_in_utc(string format, string expected)
    {
        Assert.Equal(expected, Format(format));
    }

    [Fact]
    public void A_non_utc_start_time_is_printed_in_utc()
    {
        var info = new StreamInfo { StartTime = new DateTimeOffset(2016, 4, 15, 22, 17, 0, 310, TimeSpan.FromHours(2)), StartTimestamp = 1 };

        Assert.Equal("2016-04-15T20:17:00.310Z", AccessLogFormatter.Create(new AccessLogFormatConfig("%START_TIME%", null)).Format(info));
    }
}
