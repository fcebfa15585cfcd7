using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ActorMesh.Cmd;

/// <summary>
/// Tables with column widths from their content, capped to <paramref name="maxWidth"/> (the terminal's, when stdout is
/// one) by cutting the widest columns; lines as they come; errors on stderr. A table's rows are held until something
/// else arrives (a line, another table, the end), at most <see cref="MaxBufferedRows"/> of them.
/// </summary>
internal sealed class TableRenderer(TextWriter output, TextWriter errors, int? maxWidth) : ICommandRenderer
{
    private const int MaxBufferedRows = 10_000;
    private const int MinColumnWidth = 6;
    private const string Gap = "  ";

    private IReadOnlyList<string>? _columns;
    private readonly List<string[]> _rows = [];

    public void Table(IReadOnlyList<string> columns)
    {
        Flush();
        _columns = columns;
    }

    public void Row(JsonArray cells)
    {
        _rows.Add(cells.Select(Cell).ToArray());
        if (_rows.Count >= MaxBufferedRows)
        {
            Flush(keepColumns: true);
        }
    }

    public void Line(string text)
    {
        Flush();
        output.WriteLine(text);
    }

    public void Error(string message)
    {
        Flush();
        output.Flush();
        errors.WriteLine("error: " + message);
    }

    public void End(int status)
    {
        Flush();
        output.Flush();
    }

    /// <summary>Strings as they are, numbers as JSON writes them, booleans as yes/no, null as "-".</summary>
    public static string Cell(JsonNode? cell) => cell switch
    {
        null => "-",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value when value.GetValueKind() == JsonValueKind.True => "yes",
        JsonValue value when value.GetValueKind() == JsonValueKind.False => "no",
        _ => cell.ToJsonString(),
    };

    private void Flush(bool keepColumns = false)
    {
        if (_columns is null)
        {
            _rows.Clear();
            return;
        }
        var widths = _columns.Select((c, i) => Math.Max(c.Length, _rows.Select(r => i < r.Length ? r[i].Length : 0).DefaultIfEmpty(0).Max())).ToArray();
        Fit(widths);
        output.WriteLine(Format(_columns, widths));
        output.WriteLine(string.Join(Gap, widths.Select(w => new string('-', w))).TrimEnd());
        foreach (var row in _rows)
        {
            output.WriteLine(Format(row, widths));
        }
        _rows.Clear();
        if (!keepColumns)
        {
            _columns = null;
        }
    }

    /// <summary>Narrows the widest column a character at a time until the row fits, none below <see cref="MinColumnWidth"/>.</summary>
    private void Fit(int[] widths)
    {
        if (maxWidth is not { } max)
        {
            return;
        }
        while (widths.Sum() + Gap.Length * (widths.Length - 1) > max)
        {
            var widest = Array.IndexOf(widths, widths.Max());
            if (widths[widest] <= MinColumnWidth)
            {
                return;
            }
            widths[widest]--;
        }
    }

    private static string Format(IReadOnlyList<string> cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Count ? cells[i] : "";
            if (cell.Length > widths[i])
            {
                cell = cell[..(widths[i] - 1)] + "…";
            }
            line.Append(cell.PadRight(widths[i]));
            if (i < widths.Length - 1)
            {
                line.Append(Gap);
            }
        }
        return line.ToString().TrimEnd();
    }

    /// <summary>The terminal's width when stdout is one; null when it is a file or a pipe (no cap).</summary>
    public static int? TerminalWidth()
    {
        if (Console.IsOutputRedirected)
        {
            return null;
        }
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>
/// <c>--json</c>: NDJSON, one object a line: a row as <c>{"column": cell, …}</c>, a line as <c>{"line": "…"}</c>, an
/// error as <c>{"error": "…"}</c>.
/// </summary>
internal sealed class JsonRenderer(TextWriter output) : ICommandRenderer
{
    // Readable text ("->", "<", non-ASCII) rather than \u escapes; still valid JSON.
    private static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private IReadOnlyList<string> _columns = [];

    public void Table(IReadOnlyList<string> columns) => _columns = columns;

    public void Row(JsonArray cells)
    {
        var row = new JsonObject();
        for (var i = 0; i < cells.Count; i++)
        {
            row[i < _columns.Count ? _columns[i] : "column" + i.ToString(CultureInfo.InvariantCulture)] = cells[i]?.DeepClone();
        }
        output.WriteLine(row.ToJsonString(Options));
    }

    public void Line(string text) => output.WriteLine(new JsonObject { ["line"] = text }.ToJsonString(Options));

    public void Error(string message) => output.WriteLine(new JsonObject { ["error"] = message }.ToJsonString(Options));

    public void End(int status) => output.Flush();
}
