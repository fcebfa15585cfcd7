using System.Text.RegularExpressions;

namespace ActorMesh.Hosting;

/// <summary>Actor names made from config names, which may hold any character, unique within the process.</summary>
public static partial class ActorNames
{
    private static long _names;

    public static string Unique(string name) => UnsafeChars().Replace(name, "_") + "-" + Interlocked.Increment(ref _names);

    [GeneratedRegex("[^A-Za-z0-9_-]")]
    private static partial Regex UnsafeChars();
}
