using System.Text;

namespace ActorMesh.AccessLog;

/// <summary>
/// One reusable builder per thread for formatting lines, so that a logged request allocates its line and nothing
/// else. A builder grown past <see cref="MaxCachedCapacity"/> (a huge header) is dropped rather than kept.
/// </summary>
internal static class StringBuilderCache
{
    private const int MaxCachedCapacity = 16 * 1024;

    [ThreadStatic]
    private static StringBuilder? _line;

    [ThreadStatic]
    private static StringBuilder? _scratch;

    public static StringBuilder AcquireLine()
    {
        var builder = _line ?? new StringBuilder(512);
        _line = null;
        return builder.Clear();
    }

    public static string ToStringAndRelease(StringBuilder builder)
    {
        var text = builder.ToString();
        if (builder.Capacity <= MaxCachedCapacity)
        {
            _line = builder;
        }
        return text;
    }

    /// <summary>A second builder for a value that must be escaped before it joins the line (JSON strings).</summary>
    public static StringBuilder AcquireScratch()
    {
        var builder = _scratch ?? new StringBuilder(128);
        _scratch = null;
        return builder.Clear();
    }

    public static void ReleaseScratch(StringBuilder builder)
    {
        if (builder.Capacity <= MaxCachedCapacity)
        {
            _scratch = builder;
        }
    }
}
