using System.Globalization;
using System.Text;

namespace ActorMesh.AccessLog;

/// <summary>
/// A <c>%START_TIME(...)%</c> pattern compiled once: strftime specifiers as absl's FormatTime reads them (which Envoy
/// uses), in UTC, plus Envoy's own <c>%s</c> (seconds since the epoch) and <c>%f</c>/<c>%1f</c>…<c>%9f</c>
/// (fractional seconds, 9 digits by default). absl's <c>%E#S</c>/<c>%E*S</c> (seconds with fraction),
/// <c>%E#f</c>/<c>%E*f</c>, <c>%Ez</c> and <c>%E4Y</c> are supported too. An unknown specifier is printed as written.
/// </summary>
internal sealed class StartTimeFormat
{
    /// <summary>Envoy's default, <c>%Y-%m-%dT%H:%M:%E3SZ</c>: ISO 8601 in UTC with milliseconds.</summary>
    public static readonly StartTimeFormat Default = new([]);

    private static readonly string[] Days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] Months =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private const int AllDigits = -1;

    private readonly Segment[] _segments;

    private StartTimeFormat(Segment[] segments) => _segments = segments;

    public static StartTimeFormat Parse(string pattern)
    {
        if (pattern.Length == 0)
        {
            return Default;
        }
        var segments = new List<Segment>();
        var literal = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c != '%' || i + 1 >= pattern.Length)
            {
                literal.Append(c);
                continue;
            }
            var start = i;
            var next = pattern[++i];
            Segment? segment = null;
            if (next is >= '1' and <= '9' && i + 1 < pattern.Length && pattern[i + 1] == 'f')
            {
                segment = new Segment('f', next - '0');
                i++;
            }
            else if (next == 'f')
            {
                segment = new Segment('f', 9);
            }
            else if (next == 'E' && i + 1 < pattern.Length)
            {
                segment = ParseExtended(pattern, ref i);
            }
            else if ("YymdeHIMSpjaAbhBFTDRzZnt%uwCs".Contains(next, StringComparison.Ordinal))
            {
                segment = new Segment(next, 0);
            }
            if (segment is null)
            {
                // strftime prints what it does not know; so does this.
                literal.Append(pattern, start, i - start + 1);
                continue;
            }
            if (literal.Length > 0)
            {
                segments.Add(new Segment('\0', 0, literal.ToString()));
                literal.Clear();
            }
            segments.Add(segment.Value);
        }
        if (literal.Length > 0)
        {
            segments.Add(new Segment('\0', 0, literal.ToString()));
        }
        return new StartTimeFormat(segments.ToArray());
    }

    public void Append(DateTimeOffset time, StringBuilder output)
    {
        var utc = time.UtcDateTime;
        if (_segments.Length == 0)
        {
            AppendIso8601(utc, output);
            return;
        }
        foreach (var segment in _segments)
        {
            AppendSegment(segment, utc, output);
        }
    }

    private static Segment? ParseExtended(string pattern, ref int i)
    {
        // i is at 'E'.
        var rest = pattern.AsSpan(i + 1);
        if (rest.StartsWith("z"))
        {
            i += 1;
            return new Segment('z', 1);
        }
        if (rest.StartsWith("4Y"))
        {
            i += 2;
            return new Segment('Y', 4);
        }
        if (rest.Length >= 2 && (rest[0] == '*' || char.IsAsciiDigit(rest[0])) && rest[1] is 'S' or 'f')
        {
            var digits = rest[0] == '*' ? AllDigits : rest[0] - '0';
            i += 2;
            return new Segment(rest[1] == 'S' ? 'S' : 'f', digits, Extended: true);
        }
        return null;
    }

    private static void AppendIso8601(DateTime utc, StringBuilder output)
    {
        Span<char> text = stackalloc char[24];
        utc.TryFormat(text, out var written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        output.Append(text[..written]);
    }

    private static void AppendSegment(Segment segment, DateTime utc, StringBuilder output)
    {
        switch (segment.Specifier)
        {
            case '\0': output.Append(segment.Literal); break;
            case 'Y': Padded(output, utc.Year, segment.Digits == 4 ? 4 : 0); break;
            case 'y': Padded(output, utc.Year % 100, 2); break;
            case 'C': Padded(output, utc.Year / 100, 2); break;
            case 'm': Padded(output, utc.Month, 2); break;
            case 'd': Padded(output, utc.Day, 2); break;
            case 'e': output.Append(utc.Day < 10 ? " " : "").Append(utc.Day); break;
            case 'H': Padded(output, utc.Hour, 2); break;
            case 'I': Padded(output, utc.Hour % 12 == 0 ? 12 : utc.Hour % 12, 2); break;
            case 'M': Padded(output, utc.Minute, 2); break;
            case 'S':
                Padded(output, utc.Second, 2);
                if (segment.Extended)
                {
                    AppendFraction(utc, segment.Digits, output, withDot: true);
                }
                break;
            case 'f': AppendFraction(utc, segment.Digits, output, withDot: false); break;
            case 'p': output.Append(utc.Hour < 12 ? "AM" : "PM"); break;
            case 'j': Padded(output, utc.DayOfYear, 3); break;
            case 'a': output.Append(Days[(int)utc.DayOfWeek], 0, 3); break;
            case 'A': output.Append(Days[(int)utc.DayOfWeek]); break;
            case 'b' or 'h': output.Append(Months[utc.Month - 1], 0, 3); break;
            case 'B': output.Append(Months[utc.Month - 1]); break;
            case 'u': output.Append(utc.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)utc.DayOfWeek); break;
            case 'w': output.Append((int)utc.DayOfWeek); break;
            case 'F': Joined(output, '-', (utc.Year, 4), (utc.Month, 2), (utc.Day, 2)); break;
            case 'T': Joined(output, ':', (utc.Hour, 2), (utc.Minute, 2), (utc.Second, 2)); break;
            case 'R': Joined(output, ':', (utc.Hour, 2), (utc.Minute, 2)); break;
            case 'D': Joined(output, '/', (utc.Month, 2), (utc.Day, 2), (utc.Year % 100, 2)); break;
            case 'z': output.Append(segment.Digits == 1 ? "+00:00" : "+0000"); break;
            case 'Z': output.Append("UTC"); break;
            case 's': output.Append((long)(utc - DateTime.UnixEpoch).TotalSeconds); break;
            case 'n': output.Append('\n'); break;
            case 't': output.Append('\t'); break;
            case '%': output.Append('%'); break;
        }
    }

    /// <summary>
    /// Fractional seconds from the 100 ns ticks DateTime keeps: <paramref name="digits"/> digits, or with
    /// <see cref="AllDigits"/> as many as needed without trailing zeros (absl's <c>%E*</c>).
    /// </summary>
    private static void AppendFraction(DateTime utc, int digits, StringBuilder output, bool withDot)
    {
        var nanos = utc.Ticks % TimeSpan.TicksPerSecond * 100;
        if (digits == AllDigits)
        {
            if (nanos == 0)
            {
                if (!withDot)
                {
                    output.Append('0');
                }
                return;
            }
            var width = 9;
            while (nanos % 10 == 0)
            {
                nanos /= 10;
                width--;
            }
            if (withDot)
            {
                output.Append('.');
            }
            Padded(output, nanos, width);
            return;
        }
        if (digits == 0)
        {
            return;
        }
        if (withDot)
        {
            output.Append('.');
        }
        var divisor = 1L;
        for (var i = digits; i < 9; i++)
        {
            divisor *= 10;
        }
        Padded(output, nanos / divisor, digits);
    }

    /// <summary>strftime's composite specifiers (<c>%F</c>, <c>%T</c>, <c>%R</c>, <c>%D</c>): zero-padded fields joined by one separator.</summary>
    private static void Joined(StringBuilder output, char separator, params ReadOnlySpan<(int Value, int Width)> fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                output.Append(separator);
            }
            Padded(output, fields[i].Value, fields[i].Width);
        }
    }

    private static void Padded(StringBuilder output, long value, int width)
    {
        Span<char> text = stackalloc char[20];
        value.TryFormat(text, out var written, default, CultureInfo.InvariantCulture);
        for (var i = written; i < width; i++)
        {
            output.Append('0');
        }
        output.Append(text[..written]);
    }

    /// <param name="Specifier">The strftime letter, or NUL for literal text.</param>
    /// <param name="Digits">Fraction digits for <c>f</c> and <c>%E#S</c>; 4 for <c>%E4Y</c>; 1 for <c>%Ez</c>.</param>
    private readonly record struct Segment(char Specifier, int Digits, string? Literal = null, bool Extended = false);
}
