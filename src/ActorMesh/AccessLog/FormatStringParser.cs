using System.Globalization;
using System.Text;

namespace ActorMesh.AccessLog;

/// <summary>Why a format string does not compile; <see cref="IsUnsupported"/> when it names an operator we lack.</summary>
internal sealed record FormatError(string Message, bool IsUnsupported);

/// <summary>
/// Compiles an Envoy format string into <see cref="FormatOperator"/>s. The grammar is Envoy's:
/// <c>%COMMAND%</c>, <c>%COMMAND(argument)%</c>, <c>%COMMAND(argument):length%</c> with COMMAND of <c>[A-Z0-9_]+</c>, and
/// <c>%%</c> for a literal percent sign. Anything else starting with <c>%</c> is an error, as in Envoy.
/// </summary>
internal static class FormatStringParser
{
    private static readonly HashSet<string> HeaderCommands = new(StringComparer.Ordinal) { "REQ", "RESP", "REQ_WITHOUT_QUERY" };

    public static bool TryParse(string format, out FormatOperator[] parts, out FormatError? error)
    {
        var result = new List<FormatOperator>();
        var literal = new StringBuilder();
        parts = [];
        for (var pos = 0; pos < format.Length;)
        {
            if (format[pos] != '%')
            {
                literal.Append(format[pos++]);
                continue;
            }
            if (pos + 1 < format.Length && format[pos + 1] == '%')
            {
                literal.Append('%');
                pos += 2;
                continue;
            }
            if (!TryReadCommand(format, pos, out var command, out var argument, out var length, out var end))
            {
                error = new FormatError($"couldn't find a valid command operator at position {pos} of '{format}'", false);
                return false;
            }
            if (Build(command, argument, length) is not { } part)
            {
                error = Unsupported(command, argument, length);
                return false;
            }
            if (part.Error is not null)
            {
                error = part.Error;
                return false;
            }
            if (literal.Length > 0)
            {
                result.Add(new LiteralText(literal.ToString()));
                literal.Clear();
            }
            result.Add(part.Operator!);
            pos = end;
        }
        if (literal.Length > 0)
        {
            result.Add(new LiteralText(literal.ToString()));
        }
        parts = result.ToArray();
        error = null;
        return true;
    }

    /// <summary>Reads <c>%COMMAND(argument):length%</c> at <paramref name="pos"/>; <paramref name="end"/> is just past it.</summary>
    private static bool TryReadCommand(string format, int pos, out string command, out string? argument, out int? length, out int end)
    {
        command = "";
        argument = null;
        length = null;
        end = pos + 1;
        var i = pos + 1;
        while (i < format.Length && (char.IsAsciiLetterUpper(format[i]) || char.IsAsciiDigit(format[i]) || format[i] == '_'))
        {
            i++;
        }
        if (i == pos + 1)
        {
            return false;
        }
        command = format[(pos + 1)..i];
        if (i < format.Length && format[i] == '(')
        {
            var close = format.IndexOf(')', i + 1);
            if (close < 0)
            {
                return false;
            }
            argument = format[(i + 1)..close];
            i = close + 1;
        }
        if (i < format.Length && format[i] == ':')
        {
            var digits = ++i;
            while (i < format.Length && char.IsAsciiDigit(format[i]))
            {
                i++;
            }
            if (i == digits || !int.TryParse(format.AsSpan(digits, i - digits), NumberStyles.None, CultureInfo.InvariantCulture, out var max))
            {
                return false;
            }
            length = max;
        }
        if (i >= format.Length || format[i] != '%')
        {
            return false;
        }
        end = i + 1;
        return true;
    }

    private static Built? Build(string command, string? argument, int? length)
    {
        if (HeaderCommands.Contains(command))
        {
            return BuildHeader(command, argument, length);
        }
        if (command == "START_TIME")
        {
            return length is not null
                ? Built.Fail($"{command} does not allow length to be specified")
                : Built.Ok(new StartTimeOperator(argument is null ? StartTimeFormat.Default : StartTimeFormat.Parse(argument)));
        }
        if (StreamInfoOperator.Names.TryGetValue(command, out var field))
        {
            return argument is not null || length is not null
                ? Built.Fail($"{command} does not take any parameters or length")
                : Built.Ok(new StreamInfoOperator(field));
        }
        return null;
    }

    private static Built BuildHeader(string command, string? argument, int? length)
    {
        if (string.IsNullOrEmpty(argument))
        {
            return Built.Fail($"{command} requires parameters");
        }
        var names = argument.Split('?');
        if (names.Length > 2)
        {
            return Built.Fail($"more than 1 alternative header specified in token: {argument}");
        }
        foreach (var name in names)
        {
            if (name.Length == 0 || name.Any(c => c <= ' ' || c == 0x7f))
            {
                return Built.Fail($"invalid header name '{name}' in {command}({argument})");
            }
        }
        return Built.Ok(new HeaderOperator(
            response: command == "RESP",
            names[0],
            names.Length == 2 ? names[1] : null,
            length,
            withoutQuery: command == "REQ_WITHOUT_QUERY"));
    }

    private static FormatError Unsupported(string command, string? argument, int? length)
    {
        var written = "%" + command + (argument is null ? "" : $"({argument})") + (length is null ? "" : $":{length}") + "%";
        return new FormatError($"unsupported command operator '{written}'", true);
    }

    private sealed record Built(FormatOperator? Operator, FormatError? Error)
    {
        public static Built Ok(FormatOperator op) => new(op, null);

        public static Built Fail(string message) => new(null, new FormatError(message, false));
    }
}
