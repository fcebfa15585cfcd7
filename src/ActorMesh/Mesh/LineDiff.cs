using System.Text;

namespace ActorMesh.Mesh;

/// <summary>
/// A unified line diff (the <c>diff -u</c> format) built on Myers' O((N+M)·D) shortest edit script. Lines common to the
/// start and end are trimmed first, so a typical config edit costs little whatever the file's size. CRLF compares equal
/// to LF, and a missing final newline is not reported: YAML means the same either way.
/// </summary>
public static class LineDiff
{
    /// <summary>Unchanged lines shown around each change, as <c>diff -u</c> does.</summary>
    public const int DefaultContext = 3;

    /// <summary>
    /// Past this many edits, the changed middle is shown as removed and re-added whole: the trace Myers keeps grows with
    /// the square of the edit count, and a diff that large is read as "everything changed" anyway.
    /// </summary>
    private const int MaxEditDistance = 4096;

    public static string Unified(string from, string to, string fromLabel, string toLabel, int context = DefaultContext)
    {
        var a = SplitLines(from);
        var b = SplitLines(to);
        var edits = Edits(a, b);
        if (edits.All(e => e.Op == Op.Equal))
        {
            return "";
        }
        var text = new StringBuilder();
        text.Append("--- ").Append(fromLabel).Append('\n');
        text.Append("+++ ").Append(toLabel).Append('\n');
        foreach (var (start, end) in Hunks(edits, context))
        {
            AppendHunk(text, edits, start, end);
        }
        return text.ToString();
    }

    internal enum Op
    {
        Equal,
        Delete,
        Insert,
    }

    /// <summary>One line of the edit script, with its 0-based position in the old and the new text.</summary>
    internal readonly record struct Edit(Op Op, string Line, int OldIndex, int NewIndex);

    internal static string[] SplitLines(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        // A final newline ends the last line; it does not start an empty one.
        return lines[^1].Length == 0 ? lines[..^1] : lines;
    }

    internal static List<Edit> Edits(string[] a, string[] b)
    {
        var prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix])
        {
            prefix++;
        }
        var suffix = 0;
        while (suffix < a.Length - prefix && suffix < b.Length - prefix && a[^(suffix + 1)] == b[^(suffix + 1)])
        {
            suffix++;
        }

        var edits = new List<Edit>(a.Length + b.Length);
        for (var i = 0; i < prefix; i++)
        {
            edits.Add(new Edit(Op.Equal, a[i], i, i));
        }
        var oldMiddle = a[prefix..^suffix];
        var newMiddle = b[prefix..^suffix];
        foreach (var edit in Myers(oldMiddle, newMiddle) ?? ReplaceAll(oldMiddle, newMiddle))
        {
            edits.Add(edit with { OldIndex = edit.OldIndex + prefix, NewIndex = edit.NewIndex + prefix });
        }
        for (var i = suffix; i > 0; i--)
        {
            edits.Add(new Edit(Op.Equal, a[^i], a.Length - i, b.Length - i));
        }
        return edits;
    }

    /// <summary>
    /// Myers' greedy forward search; <c>trace[d]</c> keeps the furthest x reached on each diagonal k ∈ [-d, d] before step
    /// d, which is all the backtrack needs. Null when the edit distance exceeds <see cref="MaxEditDistance"/>.
    /// </summary>
    private static List<Edit>? Myers(string[] a, string[] b)
    {
        int n = a.Length, m = b.Length, max = n + m;
        var offset = max + 1;
        var v = new int[2 * max + 3];
        var trace = new List<int[]>();
        for (var d = 0; d <= max; d++)
        {
            if (d > MaxEditDistance)
            {
                return null;
            }
            var snapshot = new int[2 * d + 1];
            Array.Copy(v, offset - d, snapshot, 0, 2 * d + 1);
            trace.Add(snapshot);
            for (var k = -d; k <= d; k += 2)
            {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
                var y = x - k;
                while (x < n && y < m && a[x] == b[y])
                {
                    x++;
                    y++;
                }
                v[offset + k] = x;
                if (x >= n && y >= m)
                {
                    return Backtrack(trace, a, b);
                }
            }
        }
        return Backtrack(trace, a, b);
    }

    private static List<Edit> Backtrack(List<int[]> trace, string[] a, string[] b)
    {
        var edits = new List<Edit>();
        int x = a.Length, y = b.Length;
        for (var d = trace.Count - 1; d >= 0; d--)
        {
            int prevX, prevY;
            if (d == 0)
            {
                prevX = 0;
                prevY = 0;
            }
            else
            {
                var vd = trace[d];
                var k = x - y;
                // trace[d] holds diagonals -d..d at index k + d.
                var prevK = k == -d || (k != d && vd[k - 1 + d] < vd[k + 1 + d]) ? k + 1 : k - 1;
                prevX = vd[prevK + d];
                prevY = prevX - prevK;
            }
            while (x > prevX && y > prevY)
            {
                x--;
                y--;
                edits.Add(new Edit(Op.Equal, a[x], x, y));
            }
            if (d > 0)
            {
                if (x == prevX)
                {
                    edits.Add(new Edit(Op.Insert, b[y - 1], x, y - 1));
                }
                else
                {
                    edits.Add(new Edit(Op.Delete, a[x - 1], x - 1, y));
                }
            }
            x = prevX;
            y = prevY;
        }
        edits.Reverse();
        return edits;
    }

    private static IEnumerable<Edit> ReplaceAll(string[] a, string[] b) =>
        a.Select((line, i) => new Edit(Op.Delete, line, i, 0))
            .Concat(b.Select((line, i) => new Edit(Op.Insert, line, a.Length, i)));

    /// <summary>Ranges of the edit script to print: each change with its context, merged where contexts touch.</summary>
    private static List<(int Start, int End)> Hunks(List<Edit> edits, int context)
    {
        var hunks = new List<(int Start, int End)>();
        for (var i = 0; i < edits.Count; i++)
        {
            if (edits[i].Op == Op.Equal)
            {
                continue;
            }
            var start = Math.Max(0, i - context);
            var end = Math.Min(edits.Count, i + 1 + context);
            if (hunks.Count > 0 && start <= hunks[^1].End)
            {
                hunks[^1] = (hunks[^1].Start, end);
            }
            else
            {
                hunks.Add((start, end));
            }
        }
        return hunks;
    }

    private static void AppendHunk(StringBuilder text, List<Edit> edits, int start, int end)
    {
        var oldCount = 0;
        var newCount = 0;
        for (var i = start; i < end; i++)
        {
            oldCount += edits[i].Op == Op.Insert ? 0 : 1;
            newCount += edits[i].Op == Op.Delete ? 0 : 1;
        }
        var first = edits[start];
        text.Append("@@ -").Append(Range(first.OldIndex, oldCount)).Append(" +").Append(Range(first.NewIndex, newCount)).Append(" @@\n");
        for (var i = start; i < end; i++)
        {
            text.Append(edits[i].Op switch { Op.Delete => '-', Op.Insert => '+', _ => ' ' }).Append(edits[i].Line).Append('\n');
        }
    }

    /// <summary>diff -u's range: "line,count", the count omitted when 1, and an empty range named by the line before it.</summary>
    private static string Range(int index, int count) => count switch
    {
        0 => $"{index},0",
        1 => $"{index + 1}",
        _ => $"{index + 1},{count}",
    };
}
